// The guest runtime build: TypeScript -> esbuild bundle -> QuickJS bytecode -> static i386 ELF.
// Expensive stages (musl, QuickJS library, host qjsc, links) are cached by input hash, so a
// TypeScript-only change costs a bundle, a qjsc run and one link.
import { copyFileSync, chmodSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cached, cacheDir, distDir } from '../lib/cache.ts';
import { stage } from '../lib/progress.ts';
import { toolchain, SCOPE } from './toolchain.ts';
import { quickjs } from './quickjs.ts';
import { bundle, bytecodeFromC, compileBytecode, MAIN_ENTRY } from './bytecode.ts';
import { linkProgram, NATIVE_SOURCES } from './link.ts';

export interface RuntimeArtifacts {
  /** Stripped static i386 multi-call binary. */
  binary: string;
  /** Static i386 runner for a .js or .qbc file. */
  runner: string;
  /** The ES module bundle and its bytecode, for the runner. */
  bundle: string;
  bytecode: string;
}

export interface BuildOptions {
  /** Makes the bytecode differ as an edit would (bench:runtime's incremental build). */
  stamp?: string;
}

export async function buildRuntime(opts: BuildOptions = {}): Promise<RuntimeArtifacts> {
  const tc = await stage(SCOPE, 'musl i386 toolchain', toolchain);
  const qjs = await stage(SCOPE, 'QuickJS library and host qjsc', () => quickjs(tc));
  const work = cacheDir('runtime-work', String(process.pid));
  try {
    const bundleFile = join(work, 'whalebone.js');
    const cFile = join(work, 'bytecode.c');
    const qbcFile = join(work, 'whalebone.qbc');
    await stage(SCOPE, 'esbuild bundle', () => bundle(MAIN_ENTRY, bundleFile, opts.stamp));
    await stage(SCOPE, 'qjsc bytecode', async () => {
      await compileBytecode(qjs.hostQjsc, bundleFile, cFile);
      bytecodeFromC(cFile, qbcFile);
    });
    const native = NATIVE_SOURCES.map((file) => ({ file }));
    const binDir = await stage(SCOPE, 'link whalebone', () =>
      cached(SCOPE, {
        name: 'runtime-binary',
        inputs: ['whalebone v1', tc.id, qjs.id, ...native, { file: cFile }],
        build: (out) => linkProgram(tc, qjs, { outFile: join(out, 'whalebone'), workDir: out, extraSources: [cFile] }),
      }),
    );
    const runDir = await stage(SCOPE, 'link whalebone-run', () =>
      cached(SCOPE, {
        name: 'runtime-runner',
        inputs: ['whalebone-run v1', tc.id, qjs.id, ...native],
        build: (out) => linkProgram(tc, qjs, { outFile: join(out, 'whalebone-run'), workDir: out, defines: ['-DWB_RUNNER'] }),
      }),
    );
    const dist = distDir('runtime');
    mkdirSync(dist, { recursive: true });
    const put = (from: string, name: string, mode: number) => {
      const to = join(dist, name);
      rmSync(to, { force: true }); // never write through into a running binary
      copyFileSync(from, to);
      chmodSync(to, mode);
      return to;
    };
    const art: RuntimeArtifacts = {
      binary: put(join(binDir, 'whalebone'), 'whalebone', 0o755),
      runner: put(join(runDir, 'whalebone-run'), 'whalebone-run', 0o755),
      bundle: put(bundleFile, 'whalebone.js', 0o644),
      bytecode: put(qbcFile, 'whalebone.qbc', 0o644),
    };
    process.stderr.write(
      `[${SCOPE}] whalebone ${(statSync(art.binary).size / 1e6).toFixed(2)} MB, bundle ${(statSync(art.bundle).size / 1e3).toFixed(0)} KB, bytecode ${(statSync(art.bytecode).size / 1e3).toFixed(0)} KB -> ${dist}\n`,
    );
    return art;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
