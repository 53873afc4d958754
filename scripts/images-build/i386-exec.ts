// Debian's i386 maintainer scripts (and our tests) must run i386 programs on this amd64 host.
// Some hosts' kernels refuse 32-bit binaries ("Exec format error") even with IA32 emulation
// configured; there qemu-user-static, registered through binfmt_misc with the F flag (so it also
// works inside chroots), runs them instead.
import { existsSync, writeFileSync } from 'node:fs';
import { run } from '../lib/exec.ts';
import { ensureHostTools } from '../lib/apt.ts';
import { BuildError, log } from '../lib/progress.ts';

const BINFMT = '/proc/sys/fs/binfmt_misc';
const QEMU = '/usr/bin/qemu-i386-static';
// ELF header of a 32-bit little-endian x86 executable (ET_EXEC or ET_DYN), as binfmt_misc matches it.
const MAGIC = '\\x7fELF\\x01\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x03\\x00';
const MASK = '\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff';

async function i386Runs(): Promise<boolean> {
  try {
    await run('arch-test', ['i386']);
    return true;
  } catch {
    return false;
  }
}

export async function ensureI386Exec(scope: string): Promise<void> {
  await ensureHostTools(scope, { 'arch-test': 'arch-test' });
  if (await i386Runs()) return;
  if (process.getuid?.() !== 0)
    throw new BuildError('this host cannot run i386 programs; as root, the build would register qemu-user-static for them');
  log(scope, 'this kernel does not run i386 programs natively: registering qemu-i386-static with binfmt_misc');
  await ensureHostTools(scope, { [QEMU]: 'qemu-user-static' });
  if (!existsSync(`${BINFMT}/register`)) await run('mount', ['-t', 'binfmt_misc', 'binfmt_misc', BINFMT]);
  if (!existsSync(`${BINFMT}/qemu-i386`)) {
    const rule = `:qemu-i386:M::${MAGIC}:${MASK}:${QEMU}:F`;
    // binfmt_misc decodes the \x escapes itself.
    writeFileSync(`${BINFMT}/register`, rule);
  }
  if (!(await i386Runs())) throw new BuildError('i386 programs still do not run after registering qemu-i386-static');
}
