// Compiles the project's C (entry point, wbnative and the layer writer) with the bytecode and links static i386 ELFs.
import { join } from 'node:path';
import { repoRoot } from '../lib/cache.ts';
import { run } from '../lib/exec.ts';
import { CC, type Toolchain } from './toolchain.ts';
import type { QuickJs } from './quickjs.ts';
import type { Zlib } from './zlib.ts';

export const NATIVE_DIR = join(repoRoot, 'src/guest/native');
export const NATIVE_SOURCES = ['main.c', 'wbnative.c', 'alloc.c', 'layer.c'].map((f) => join(NATIVE_DIR, f));
/** Headers the sources (and the generated module table) include: cache inputs too. */
export const NATIVE_HEADERS = ['wbmodules.h', 'layer.h'].map((f) => join(NATIVE_DIR, f));

/** Links one program into outFile: our C sources (with extra defines) plus extra objects/sources. */
export async function linkProgram(
  tc: Toolchain,
  qjs: QuickJs,
  z: Zlib,
  opts: { outFile: string; workDir: string; defines?: string[]; extraSources?: string[] },
): Promise<void> {
  const flags = [...tc.cflags, '-I', qjs.srcDir, '-I', z.srcDir, '-I', NATIVE_DIR, '-Wall', '-Wno-unused-parameter', ...(opts.defines ?? [])];
  const sources = [...NATIVE_SOURCES, ...(opts.extraSources ?? [])];
  const objs = await Promise.all(
    sources.map(async (src, i) => {
      const obj = join(opts.workDir, `${i}-${src.split('/').pop()!.replace(/\.c$/, '.o')}`);
      await run(CC, [...flags, '-c', src, '-o', obj]);
      return obj;
    }),
  );
  await run(CC, [...tc.linkHead, ...objs, qjs.libI386, z.libI386, ...tc.linkTail, '-Wl,--gc-sections', '-s', '-o', opts.outFile]);
}
