// zlib built from Debian's pinned `zlib` source package: a static i386 musl library for the
// guest binary and one for this host (whalebone-host), both cached by the pin and compiler.
// Only the deflate/inflate core is compiled (no gz* file API): layer.c streams through z_stream.
import { join } from 'node:path';
import { cached } from '../lib/cache.ts';
import { fetchSource, readPins } from '../lib/apt.ts';
import { run } from '../lib/exec.ts';
import { BuildError, log } from '../lib/progress.ts';
import { compileAll } from './quickjs.ts';
import { CC, SCOPE, type Toolchain } from './toolchain.ts';

const SOURCES = ['adler32.c', 'crc32.c', 'deflate.c', 'trees.c', 'zutil.c', 'inflate.c', 'inftrees.c', 'inffast.c'];

export interface Zlib {
  /** Unpacked source tree (zlib.h, zconf.h). */
  srcDir: string;
  libI386: string;
  version: string;
  id: string;
}

export async function zlib(tc: Toolchain): Promise<Zlib> {
  const pin = readPins().sources.zlib;
  if (!pin) throw new BuildError('zlib is not pinned as a source in vm-images/pins.json: run `npm run pin -- src zlib`');
  const src = await fetchSource(SCOPE, 'zlib');
  const dir = await cached(SCOPE, {
    name: 'zlib-i386',
    inputs: ['zlib-i386 v1', JSON.stringify(pin), tc.id, ...SOURCES],
    build: async (out) => {
      log(SCOPE, `compiling zlib ${pin.version} for i386 musl (${SOURCES.length} files)`);
      const objs = await compileAll(CC, [...tc.cflags, '-w'], src, SOURCES, out);
      await run('i686-linux-gnu-ar', ['rcs', join(out, 'libz.a'), ...objs]);
    },
  });
  return { srcDir: src, libI386: join(dir, 'libz.a'), version: pin.version, id: `zlib ${pin.version} ${dir}` };
}

/** The same library for this host's gcc (flags as the host runtime's). */
export async function hostZlib(z: Zlib, cc: string, flags: string[], ccId: string): Promise<string> {
  const dir = await cached(SCOPE, {
    name: 'zlib-host',
    inputs: ['zlib-host v1', z.id, ccId, ...SOURCES],
    build: async (out) => {
      log(SCOPE, `compiling zlib ${z.version} for this host`);
      const objs = await compileAll(cc, [...flags, '-w'], z.srcDir, SOURCES, out);
      await run('ar', ['rcs', join(out, 'libz.a'), ...objs]);
    },
  });
  return join(dir, 'libz.a');
}
