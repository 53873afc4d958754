// TypeScript -> one ES module bundle (esbuild) -> QuickJS bytecode as C (host qjsc).
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../lib/cache.ts';
import { run } from '../lib/exec.ts';
import { BuildError } from '../lib/progress.ts';

/** Module names the QuickJS binary provides itself; everything else is bundled. */
export const ENGINE_MODULES = ['std', 'os', 'wbnative'];
export const BYTECODE_CNAME = 'wb_bytecode';

/** `stamp` adds a module variable, so the bytecode changes as after a real edit (for benchmarks). */
export async function bundle(entry: string, outFile: string, stamp?: string): Promise<void> {
  const result = await build({
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    format: 'esm',
    target: 'es2020',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    external: ENGINE_MODULES,
    absWorkingDir: repoRoot,
    logLevel: 'silent',
    legalComments: 'none',
    define: { 'import.meta.vitest': 'undefined' },
    ...(stamp ? { banner: { js: `var __whaleboneStamp = ${JSON.stringify(stamp)};` } } : {}),
  }).catch((e: Error) => {
    throw new BuildError(`esbuild failed: ${e.message}`);
  });
  if (result.warnings.length) process.stderr.write(result.warnings.map((w) => `[runtime] esbuild warning: ${w.text}\n`).join(''));
}

/** Compiles the bundle to bytecode in a C file (`wb_bytecode`, `wb_bytecode_size`). */
export async function compileBytecode(qjsc: string, bundleFile: string, cFile: string): Promise<void> {
  // -M declares wbnative as a C module provided at run time (std and os are known to qjsc).
  await run(qjsc, ['-c', '-m', '-M', 'wbnative', '-N', BYTECODE_CNAME, '-o', cFile, bundleFile], { cwd: repoRoot });
}

/** Extracts the raw bytecode from qjsc's C output, for whalebone-run. */
export function bytecodeFromC(cFile: string, outFile: string): number {
  const text = readFileSync(cFile, 'utf8');
  const body = text.slice(text.indexOf(`${BYTECODE_CNAME}[`));
  const open = body.indexOf('{');
  const close = body.indexOf('}');
  if (open < 0 || close < 0) throw new BuildError(`no ${BYTECODE_CNAME} array in ${cFile}`);
  const bytes = body.slice(open + 1, close).match(/0x[0-9a-fA-F]{2}/g) ?? [];
  const sizeMatch = text.match(new RegExp(`${BYTECODE_CNAME}_size = (\\d+)`));
  if (!sizeMatch || Number(sizeMatch[1]) !== bytes.length)
    throw new BuildError(`bytecode size mismatch in ${cFile}: ${sizeMatch?.[1]} declared, ${bytes.length} found`);
  writeFileSync(outFile, Buffer.from(bytes.map((b) => parseInt(b, 16))));
  return bytes.length;
}

export const MAIN_ENTRY = join(repoRoot, 'src/guest/main.ts');
