// The guest runtime build: TypeScript -> esbuild bundle -> QuickJS bytecode -> static i386 ELF.
// Expensive stages (musl, QuickJS library, host qjsc, links) are cached by input hash, so a
// TypeScript-only change costs a bundle, a qjsc run and one link.
import { copyFileSync, chmodSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cached, cacheDir, distDir } from '../lib/cache.ts';
import { stage } from '../lib/progress.ts';
import { toolchain, SCOPE } from './toolchain.ts';
import { quickjs } from './quickjs.ts';
import { zlib } from './zlib.ts';
import { bundleSplit, compileModuleTable, MAIN_ENTRY } from './bytecode.ts';
import { linkProgram, NATIVE_HEADERS, NATIVE_SOURCES } from './link.ts';
import { linkHostBinary } from './host.ts';

export interface RuntimeArtifacts {
  /** Stripped static i386 multi-call binary. */
  binary: string;
  /** The same multi-call binary built for this host (native benchmarks and tests; not for the guest). */
  hostBinary: string;
  /** Static i386 runner for a .js or .qbc file. */
  runner: string;
  /** The split ES module bundle (main.js and the modules it imports), for the runner. */
  bundleDir: string;
  /** Bytecode size of each embedded module (bytes). */
  moduleSizes: Map<string, number>;
}

export interface BuildOptions {
  /** Makes the bytecode differ as an edit would (bench:runtime's incremental build). */
  stamp?: string;
}

export async function buildRuntime(opts: BuildOptions = {}): Promise<RuntimeArtifacts> {
  const tc = await stage(SCOPE, 'musl i386 toolchain', toolchain);
  const qjs = await stage(SCOPE, 'QuickJS library and host qjsc', () => quickjs(tc));
  const z = await stage(SCOPE, 'zlib library', () => zlib(tc));
  const work = cacheDir('runtime-work', String(process.pid));
  try {
    const jsDir = join(work, 'js');
    const cFile = join(work, 'modules.c');
    const sb = await stage(SCOPE, 'esbuild bundle (split per role)', () => bundleSplit(MAIN_ENTRY, jsDir, opts.stamp));
    const moduleSizes = await stage(SCOPE, `qjsc bytecode (${sb.files.length} modules)`, () => compileModuleTable(qjs.hostQjsc, sb, cFile, work));
    const native = [...NATIVE_SOURCES, ...NATIVE_HEADERS].map((file) => ({ file }));
    const binDir = await stage(SCOPE, 'link whalebone', () =>
      cached(SCOPE, {
        name: 'runtime-binary',
        inputs: ['whalebone v2 (module table)', tc.id, qjs.id, z.id, ...native, { file: cFile }],
        build: (out) => linkProgram(tc, qjs, z, { outFile: join(out, 'whalebone'), workDir: out, extraSources: [cFile] }),
      }),
    );
    const hostDir = await stage(SCOPE, `link whalebone-host (${process.arch}, for native benchmarks)`, () => linkHostBinary(qjs, z, cFile));
    const runDir = await stage(SCOPE, 'link whalebone-run', () =>
      cached(SCOPE, {
        name: 'runtime-runner',
        inputs: ['whalebone-run v1', tc.id, qjs.id, z.id, ...native],
        build: (out) => linkProgram(tc, qjs, z, { outFile: join(out, 'whalebone-run'), workDir: out, defines: ['-DWB_RUNNER'] }),
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
    const jsDist = join(dist, 'js');
    rmSync(jsDist, { recursive: true, force: true });
    mkdirSync(jsDist);
    for (const f of readdirSync(jsDir)) put(join(jsDir, f), join('js', f), 0o644);
    // Outputs of the single-bundle layout, gone since the split: stale copies would mislead.
    for (const old of ['whalebone.js', 'whalebone.qbc']) rmSync(join(dist, old), { force: true });
    const art: RuntimeArtifacts = {
      binary: put(join(binDir, 'whalebone'), 'whalebone', 0o755),
      hostBinary: put(join(hostDir, 'whalebone'), 'whalebone-host', 0o755),
      runner: put(join(runDir, 'whalebone-run'), 'whalebone-run', 0o755),
      bundleDir: jsDist,
      moduleSizes,
    };
    const kb = (n: number) => `${(n / 1e3).toFixed(0)} KB`;
    const total = [...moduleSizes.values()].reduce((a, b) => a + b, 0);
    const biggest = [...moduleSizes].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([f, n]) => `${f} ${kb(n)}`).join(', ');
    process.stderr.write(
      `[${SCOPE}] whalebone ${(statSync(art.binary).size / 1e6).toFixed(2)} MB, bytecode ${kb(total)} in ${moduleSizes.size} modules (${biggest}) -> ${dist}\n`,
    );
    return art;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
