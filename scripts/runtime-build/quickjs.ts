// QuickJS built from Debian trixie's pinned `quickjs` source package: a static i386 library for
// the guest binary and an amd64 qjsc for compiling bytecode on the host (the bytecode format
// is the same on both for one QuickJS version).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cached } from '../lib/cache.ts';
import { fetchSource, readPins } from '../lib/apt.ts';
import { run } from '../lib/exec.ts';
import { BuildError, log } from '../lib/progress.ts';
import { CC, SCOPE, type Toolchain } from './toolchain.ts';

export const LIB_SOURCES = ['quickjs.c', 'dtoa.c', 'libregexp.c', 'libunicode.c', 'cutils.c', 'quickjs-libc.c'];

export interface QuickJs {
  /** Unpacked source tree (headers for our own C files). */
  srcDir: string;
  /** libquickjs.a for i386 musl. */
  libI386: string;
  /** qjsc for this host. */
  hostQjsc: string;
  version: string;
  /** Identifies the library build for cache keys. */
  id: string;
}

export function defines(src: string): string[] {
  const version = readFileSync(join(src, 'VERSION'), 'utf8').trim();
  return ['-D_GNU_SOURCE', `-DCONFIG_VERSION="${version}"`];
}

/** Compiles the files two at a time (the machine is shared: never more than -j2). */
export async function compileAll(cc: string, flags: string[], src: string, files: string[], out: string): Promise<string[]> {
  const objs: string[] = [];
  const queue = [...files];
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const obj = join(out, f.replace(/\.c$/, '.o'));
      await run(cc, [...flags, '-c', join(src, f), '-o', obj]);
      objs.push(obj);
    }
  };
  await Promise.all([worker(), worker()]);
  return objs.sort();
}

export async function quickjs(tc: Toolchain): Promise<QuickJs> {
  const pin = readPins().sources.quickjs;
  if (!pin) throw new BuildError('quickjs is not pinned as a source in vm-images/pins.json: run `npm run pin -- src quickjs`');
  const src = await fetchSource(SCOPE, 'quickjs');
  const pinKey = JSON.stringify(pin);
  const libDir = await cached(SCOPE, {
    name: 'quickjs-i386',
    inputs: ['quickjs-i386 v1', pinKey, tc.id],
    build: async (out) => {
      log(SCOPE, `compiling QuickJS ${pin.version} for i386 musl (${LIB_SOURCES.length} files, -j2)`);
      const objs = await compileAll(CC, [...tc.cflags, ...defines(src), '-w'], src, LIB_SOURCES, out);
      await run('i686-linux-gnu-ar', ['rcs', join(out, 'libquickjs.a'), ...objs]);
    },
  });
  const hostDir = await cached(SCOPE, {
    name: 'quickjs-host',
    inputs: ['quickjs-host v1', pinKey, process.arch, (await run('gcc', ['-dumpfullversion'])).trim()],
    build: async (out) => {
      log(SCOPE, `compiling the host qjsc (${process.arch})`);
      const objs = await compileAll('gcc', ['-O2', '-fwrapv', ...defines(src), '-w'], src, [...LIB_SOURCES, 'qjsc.c'], out);
      await run('gcc', ['-o', join(out, 'qjsc'), ...objs, '-lm', '-lpthread', '-ldl']);
    },
  });
  return {
    srcDir: src,
    libI386: join(libDir, 'libquickjs.a'),
    hostQjsc: join(hostDir, 'qjsc'),
    version: pin.version,
    id: `${pin.version} ${tc.id} ${libDir}`,
  };
}
