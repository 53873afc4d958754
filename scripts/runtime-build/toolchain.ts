// The i386 musl toolchain: Debian's i686-linux-gnu cross gcc pointed at an extracted musl-dev:i386
// (pinned deb, unpacked into the cache; the host's dpkg architectures are never touched).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cached } from '../lib/cache.ts';
import { ensureHostTools, extractDeb, fetchDeb, readPins } from '../lib/apt.ts';
import { run } from '../lib/exec.ts';
import { BuildError } from '../lib/progress.ts';

export const SCOPE = 'runtime';
export const CC = 'i686-linux-gnu-gcc';

export interface Toolchain {
  /** Extracted musl-dev root (holds usr/include/i386-linux-musl and usr/lib/i386-linux-musl). */
  muslRoot: string;
  /** Compiler flags that replace the host's headers with musl's. */
  cflags: string[];
  /** Objects and libraries around the program's own objects for a static link. */
  linkHead: string[];
  linkTail: string[];
  /** Identifies compiler + libc for cache keys. */
  id: string;
}

/** Flags every i386 object is compiled with: SSE math, since x87 double rounding breaks number formatting;
 * no PIE, since the binary is static and i386 position-independent code pays a call for every global access. */
export const ARCH_FLAGS = ['-march=i686', '-msse2', '-mfpmath=sse', '-O2', '-fwrapv', '-fno-pie', '-ffunction-sections', '-fdata-sections'];

async function gccFile(name: string): Promise<string> {
  const p = (await run(CC, [`-print-file-name=${name}`])).trim();
  if (!p.startsWith('/')) throw new BuildError(`${CC} has no ${name}`);
  return p;
}

export async function toolchain(): Promise<Toolchain> {
  await ensureHostTools(SCOPE, { [CC]: 'gcc-i686-linux-gnu', gcc: 'gcc', 'dpkg-deb': 'dpkg' });
  const pin = readPins().debs['musl-dev'];
  if (!pin) throw new BuildError('musl-dev is not pinned in vm-images/pins.json: run `npm run pin -- deb musl-dev`');
  const muslRoot = await cached(SCOPE, {
    name: 'musl-i386',
    inputs: ['musl-dev', pin.version, pin.sha256],
    build: async (out) => extractDeb(await fetchDeb(SCOPE, 'musl-dev'), out),
  });
  const inc = join(muslRoot, 'usr/include/i386-linux-musl');
  const lib = join(muslRoot, 'usr/lib/i386-linux-musl');
  if (!existsSync(join(lib, 'libc.a'))) throw new BuildError(`musl-dev extracted without libc.a at ${lib}`);
  const gccInclude = await gccFile('include');
  const gccVersion = (await run(CC, ['-dumpfullversion'])).trim();
  return {
    muslRoot,
    cflags: ['-nostdinc', '-isystem', inc, '-isystem', gccInclude, ...ARCH_FLAGS],
    linkHead: ['-static', '-nostdlib', join(lib, 'crt1.o'), join(lib, 'crti.o'), await gccFile('crtbeginT.o')],
    linkTail: [
      '-Wl,--start-group', join(lib, 'libc.a'), await gccFile('libgcc.a'), await gccFile('libgcc_eh.a'),
      await gccFile('libatomic.a'), '-Wl,--end-group', await gccFile('crtend.o'), join(lib, 'crtn.o'),
    ],
    id: `${CC} ${gccVersion} musl ${pin.version} ${ARCH_FLAGS.join(' ')}`,
  };
}
