// The guest's BusyBox (scripts/vm-build/busybox.ts): built here when the cache lacks it (about a
// minute on two cores; later runs take it from the cache), then checked to be what the guest's RAM
// budget assumes: a static i386 program, with the applets the guest needs, that stays small.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { have } from '../../../scripts/lib/exec.ts';
import { parseKconfig } from '../../../scripts/vm-build/kconfig.ts';
import { applyOverrides, buildBusybox, OVERRIDES, type Busybox } from '../../../scripts/vm-build/busybox.ts';
import { skipOutsideCi } from '../../helpers/ci.ts';

// Debian's dynamic busybox is 0.42 MB after zstd -19 and this one about 0.33 MB; the ceiling
// catches an override that brings back a large applet group, or glibc.
const MAX_ZSTD_BYTES = 550_000;

const PT_INTERP = 3;
const PT_DYNAMIC = 2;

interface ElfFacts { class32: boolean; littleEndian: boolean; machine: number; type: number; segments: number[] }

function elfFacts(file: string): ElfFacts {
  const b = readFileSync(file);
  if (b.subarray(0, 4).toString('latin1') !== '\x7fELF') throw new Error(`${file} is not an ELF file`);
  const phoff = b.readUInt32LE(28);
  const phentsize = b.readUInt16LE(42);
  const phnum = b.readUInt16LE(44);
  const segments = Array.from({ length: phnum }, (_, i) => b.readUInt32LE(phoff + i * phentsize));
  return { class32: b[4] === 1, littleEndian: b[5] === 1, machine: b.readUInt16LE(18), type: b.readUInt16LE(16), segments };
}

describe('applyOverrides', () => {
  it("replaces Debian's lines in place and adds the options it does not name", () => {
    const base = 'CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=15\n# a comment\n';
    const out = applyOverrides(base, parseKconfig('# CONFIG_A is not set\nCONFIG_B=y\nCONFIG_C=255\nCONFIG_D=y\n'));
    expect(out).toBe('# CONFIG_A is not set\nCONFIG_B=y\nCONFIG_C=255\n# a comment\nCONFIG_D=y\n');
  });

  it('leaves an option whose name only starts like an override alone', () => {
    expect(applyOverrides('CONFIG_AB=y\n', parseKconfig('# CONFIG_A is not set\n'))).toBe('CONFIG_AB=y\n# CONFIG_A is not set\n');
  });

  it('has overrides in kconfig syntax, static among them', () => {
    expect(parseKconfig(OVERRIDES).get('CONFIG_STATIC')).toBe('y');
  });
});

const zstdMissing = (await have('zstd')) ? null : 'zstd is not installed (apt-get install zstd)';

describe('the built busybox', () => {
  let bb: Busybox;
  beforeAll(async () => {
    bb = await buildBusybox('test');
  }, 20 * 60_000);

  it('is a static i386 executable: no program interpreter, no dynamic section', () => {
    const elf = elfFacts(bb.binary);
    expect([elf.class32, elf.littleEndian, elf.machine, elf.type]).toEqual([true, true, 3 /* EM_386 */, 2 /* ET_EXEC */]);
    expect(elf.segments).not.toContain(PT_INTERP);
    expect(elf.segments).not.toContain(PT_DYNAMIC);
  });

  it('lists the applets the guest relies on', () => {
    const names = bb.applets.map((a) => a.split('/').pop());
    for (const a of ['sh', 'mount', 'ps', 'wget', 'vi', 'tar']) expect(names, a).toContain(a);
    expect(bb.applets).toContain('bin/sh');
  });

  it('runs a shell command', () => {
    expect(execFileSync(bb.binary, ['sh', '-c', 'echo ok'], { encoding: 'utf8' })).toBe('ok\n');
  });

  it.skipIf(skipOutsideCi(zstdMissing, 'the busybox size test') !== null)(`is at most ${MAX_ZSTD_BYTES} bytes after zstd -19`, () => {
    const size = execFileSync('zstd', ['-19', '-c', bb.binary], { maxBuffer: 16 * 1024 * 1024 }).length;
    expect(size).toBeLessThanOrEqual(MAX_ZSTD_BYTES);
  });
});
