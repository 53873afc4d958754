// TypeScript -> one ES module bundle (esbuild) -> QuickJS bytecode as C (host qjsc).
import { build, type BuildOptions, type BuildResult } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { repoRoot } from '../lib/cache.ts';
import { run } from '../lib/exec.ts';
import { BuildError } from '../lib/progress.ts';

/** Module names the QuickJS binary provides itself; everything else is bundled. */
export const ENGINE_MODULES = ['std', 'os', 'wbnative'];
export const BYTECODE_CNAME = 'wb_bytecode';

/** `stamp` adds a module variable, so the bytecode changes as after a real edit (for benchmarks). */
/** esbuild with the options every guest bundle shares (QuickJS's ES2020, engine modules external). */
async function esbuildGuest(options: BuildOptions, stamp?: string): Promise<BuildResult<{ metafile: true }>> {
  const result = await build({
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
    metafile: true,
    ...(stamp ? { banner: { js: `var __whaleboneStamp = ${JSON.stringify(stamp)};` } } : {}),
    ...options,
  }).catch((e: Error) => {
    throw new BuildError(`esbuild failed: ${e.message}`);
  });
  if (result.warnings.length) process.stderr.write(result.warnings.map((w) => `[runtime] esbuild warning: ${w.text}\n`).join(''));
  return result as BuildResult<{ metafile: true }>;
}

/** `stamp` adds a module variable, so the bytecode changes as after a real edit (for benchmarks). */
export async function bundle(entry: string, outFile: string, stamp?: string): Promise<void> {
  await esbuildGuest({ entryPoints: [entry], outfile: outFile }, stamp);
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

/** The split bundle: ES module files in one flat folder; `main` is the one the binary starts. */
export interface SplitBundle {
  dir: string;
  main: string;
  files: string[];
}

/**
 * Like bundle(), but every dynamic import() becomes its own file (shared code goes to chunks), so
 * a role loads only the bytecode it imports: start-up in the guest grows with the code read.
 * Flat names (`main.js`, `<name>-<hash>.js`, `chunk-<hash>.js`) are also QuickJS's module names.
 */
export async function bundleSplit(entry: string, outDir: string, stamp?: string): Promise<SplitBundle> {
  const result = await esbuildGuest(
    { entryPoints: { main: entry }, outdir: outDir, splitting: true, entryNames: '[name]', chunkNames: 'chunk-[hash]' },
    stamp,
  );
  const files = Object.keys(result.metafile.outputs).map((f) => relative(outDir, join(repoRoot, f)));
  const bad = files.find((f) => f.includes('/') || !f.endsWith('.js'));
  if (bad) throw new BuildError(`esbuild wrote ${bad}: the module table expects flat .js files`);
  if (!files.includes('main.js')) throw new BuildError(`esbuild wrote no main.js in ${outDir}`);
  return { dir: outDir, main: 'main.js', files: ['main.js', ...files.filter((f) => f !== 'main.js').sort()] };
}

/**
 * Whether a module's bytecode can go without debug info (line tables, variable names): a quarter
 * of the bytecode, which every guest snapshot holds in the guest's tmpfs and each process's heap
 * holds once loaded (process starts timed the same). Not a module that calls import(): QuickJS
 * resolves a dynamic import against the calling function's file name, which stripping drops
 * ("no function filename for import()").
 */
export function canStripDebug(source: string): boolean {
  return !/\bimport\s*\(/.test(source);
}

/** Bytecode of one module of a split bundle; its imports of sibling files stay unresolved. */
async function moduleBytecode(qjsc: string, sb: SplitBundle, file: string, workDir: string): Promise<Buffer> {
  const cFile = join(workDir, `${basename(file, '.js')}.c`);
  const qbc = join(workDir, `${basename(file, '.js')}.qbc`);
  const others = sb.files.filter((f) => f !== file).flatMap((f) => ['-M', f]);
  const strip = canStripDebug(readFileSync(join(sb.dir, file), 'utf8')) ? ['-s'] : [];
  await run(qjsc, ['-c', '-m', ...strip, '-M', 'wbnative', ...others, '-N', BYTECODE_CNAME, '-o', cFile, file], { cwd: sb.dir });
  bytecodeFromC(cFile, qbc);
  return readFileSync(qbc);
}

/** C literal of a module name (flat esbuild names: letters, digits, '-', '_', '.'). */
function cString(name: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new BuildError(`unexpected module name ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/**
 * Compiles every module of a split bundle and writes the table src/guest/native/main.c reads:
 * `wb_modules[]` ({name, bytecode, size}, the main module first) and `wb_module_count`.
 * Returns the bytecode size of each module.
 */
export async function compileModuleTable(qjsc: string, sb: SplitBundle, cFile: string, workDir: string): Promise<Map<string, number>> {
  const codes = await Promise.all(sb.files.map((f) => moduleBytecode(qjsc, sb, f, workDir)));
  const sizes = new Map<string, number>();
  const parts = ['/* Generated by scripts/runtime-build/bytecode.ts: QuickJS bytecode of each module. */', '#include <stdint.h>', '#include "wbmodules.h"', ''];
  codes.forEach((code, i) => {
    sizes.set(sb.files[i]!, code.length);
    const rows: string[] = [];
    for (let o = 0; o < code.length; o += 24) rows.push(' ' + [...code.subarray(o, o + 24)].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(','));
    parts.push(`static const uint8_t wb_mod_${i}[${code.length}] = {\n${rows.join(',\n')}\n};`);
  });
  parts.push('', 'const WbModule wb_modules[] = {');
  sb.files.forEach((f, i) => parts.push(`  { ${cString(f)}, wb_mod_${i}, ${codes[i]!.length} },`));
  parts.push('};', `const uint32_t wb_module_count = ${sb.files.length};`, '');
  writeFileSync(cFile, parts.join('\n'));
  return sizes;
}

export const MAIN_ENTRY = join(repoRoot, 'src/guest/main.ts');
