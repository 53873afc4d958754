// A host-native build of the same runtime: the same bytecode module table and C sources, compiled
// with this machine's gcc against its own libc (static), for native benchmarks and tests. The
// guest binary is i386 and runs here only through qemu-user, which makes every call slower than
// a native runtime's; this variant measures the runtime's own work. Not shipped to the guest.
import { join } from 'node:path';
import { cached } from '../lib/cache.ts';
import { run } from '../lib/exec.ts';
import { log } from '../lib/progress.ts';
import { compileAll, defines, LIB_SOURCES, type QuickJs } from './quickjs.ts';
import { NATIVE_DIR, NATIVE_HEADERS, NATIVE_SOURCES } from './link.ts';
import { SCOPE } from './toolchain.ts';
import { hostZlib, type Zlib } from './zlib.ts';

const HOST_CC = 'gcc';
const HOST_FLAGS = ['-O2', '-fwrapv', '-ffunction-sections', '-fdata-sections', '-D_FILE_OFFSET_BITS=64'];

async function hostCompilerId(): Promise<string> {
  return `${HOST_CC} ${(await run(HOST_CC, ['-dumpfullversion'])).trim()} ${(await run(HOST_CC, ['-dumpmachine'])).trim()} ${HOST_FLAGS.join(' ')}`;
}

/** QuickJS as a static library for this host (cached like the i386 one). */
async function hostLibrary(qjs: QuickJs, ccId: string): Promise<string> {
  const dir = await cached(SCOPE, {
    name: 'quickjs-host-lib',
    inputs: ['quickjs-host-lib v1', qjs.version, qjs.id, ccId],
    build: async (out) => {
      log(SCOPE, `compiling QuickJS ${qjs.version} for this host (${LIB_SOURCES.length} files, -j2)`);
      const objs = await compileAll(HOST_CC, [...HOST_FLAGS, ...defines(qjs.srcDir), '-w'], qjs.srcDir, LIB_SOURCES, out);
      await run('ar', ['rcs', join(out, 'libquickjs.a'), ...objs]);
    },
  });
  return join(dir, 'libquickjs.a');
}

/** Links the multi-call binary for this host from the module table (modulesC); returns its folder. */
export async function linkHostBinary(qjs: QuickJs, z: Zlib, modulesC: string): Promise<string> {
  const ccId = await hostCompilerId();
  const lib = await hostLibrary(qjs, ccId);
  const libz = await hostZlib(z, HOST_CC, HOST_FLAGS, ccId);
  return cached(SCOPE, {
    name: 'runtime-host-binary',
    inputs: ['whalebone host v2 (zlib)', ccId, qjs.id, z.id, libz, ...[...NATIVE_SOURCES, ...NATIVE_HEADERS].map((file) => ({ file })), { file: modulesC }],
    build: async (out) => {
      const flags = [...HOST_FLAGS, '-I', qjs.srcDir, '-I', z.srcDir, '-I', NATIVE_DIR, '-Wall', '-Wno-unused-parameter'];
      const objs = await Promise.all(
        [...NATIVE_SOURCES, modulesC].map(async (src, i) => {
          const obj = join(out, `${i}-${src.split('/').pop()!.replace(/\.c$/, '.o')}`);
          await run(HOST_CC, [...flags, '-c', src, '-o', obj]);
          return obj;
        }),
      );
      await run(HOST_CC, ['-static', ...objs, lib, libz, '-lm', '-lpthread', '-Wl,--gc-sections', '-s', '-o', join(out, 'whalebone')]);
    },
  });
}
