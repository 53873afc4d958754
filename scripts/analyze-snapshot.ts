// npm run analyze:snapshot [-- --state FILE] [--top N]: what the boot snapshot's compressed bytes
// are made of. Each saved guest page is sorted (scripts/lib/snapshot-pages.ts): a block of a file
// of the guest's root (found by content in the initramfs), the kernel's image (its physical range,
// from System.map while the kernel's build tree is in the cache), or other RAM (page tables, the
// kernel's allocations, processes' memory); then each part is compressed alone with the
// snapshot's own zstd -19. Parts compressed alone add up to more than the whole, which shares
// matches across them: read the shares, not a sum. Lists the root's files whose pages cost most.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DIST_FILES } from '../src/vm/assets.ts';
import { distPath } from '../src/vm/node.ts';
import { ensureHostTools } from './lib/apt.ts';
import { kernelSystemMap } from './lib/kernel-tree.ts';
import { BuildError, log, runMain } from './lib/progress.ts';
import { classify, fileBlocks, kernelRange, PAGE, pagesAt, savedPages } from './lib/snapshot-pages.ts';
import { readCpio } from './vm-build/cpio.ts';

const SCOPE = 'analyze:snapshot';
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new BuildError(`${name} needs a value`);
  return v;
}

const zstd19 = (bytes: Uint8Array): number => (bytes.length === 0 ? 0 : execFileSync('zstd', ['-19', '-q', '-c'], { input: bytes, maxBuffer: 1 << 30 }).length);
const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
const mib = (pages: number) => `${((pages * PAGE) / 1048576).toFixed(1)} MiB`;

/** PAGE_OFFSET of the built kernel's config (the 3G/1G split's 0xC0000000 when it does not say). */
function pageOffset(): number {
  const config = distPath('kernel.config'); // build:vm copies the kernel's full config there
  const m = existsSync(config) ? /^CONFIG_PAGE_OFFSET=(0x[0-9a-fA-F]+)$/m.exec(readFileSync(config, 'utf8')) : null;
  return m ? parseInt(m[1]!, 16) : 0xc0000000;
}

runMain(SCOPE, async () => {
  const stateFile = arg('--state') ?? distPath(DIST_FILES.snapshot);
  const top = Number(arg('--top') ?? 15);
  if (!Number.isInteger(top) || top < 0) throw new BuildError('--top needs a whole number');
  for (const f of [stateFile, distPath(DIST_FILES.initrd)]) if (!existsSync(f)) throw new BuildError(`${f} is missing: run npm run build:vm first`);
  await ensureHostTools(SCOPE, { zstd: 'zstd' });
  const compressed = readFileSync(stateFile);
  const raw = new Uint8Array(execFileSync('zstd', ['-d', '-q', '-c', stateFile], { maxBuffer: 1 << 30 }));
  const pages = savedPages(raw);
  const root = readCpio(gunzipSync(readFileSync(distPath(DIST_FILES.initrd)))).filter((e) => (e.mode & S_IFMT) === S_IFREG && e.size > 0);
  const systemMap = kernelSystemMap();
  const kernel = systemMap ? kernelRange(systemMap, pageOffset()) : null;
  if (!kernel) log(SCOPE, 'no System.map in the kernel build tree: the kernel image counts as other RAM');
  const classes = classify(pages, fileBlocks(root.map((e) => ({ path: `/${e.path}`, data: e.data }))), kernel);
  const filePages = [...classes.files.values()].flat();
  const rootPages = root.reduce((n, e) => n + Math.ceil(e.size / PAGE), 0);

  log(SCOPE, `${stateFile}: ${mb(compressed.length)} compressed, ${mb(raw.length)} raw`);
  log(SCOPE, `guest RAM: ${pages.numbers.length} of ${pages.ramPages} pages saved (${mib(pages.numbers.length)}; v86 leaves out pages of zeros)`);
  const others = pages.others.reduce((n, b) => n + b.length, 0);
  const rows: [string, number, number][] = [
    [`the root's files (${classes.files.size} of ${root.length}; ${filePages.length} of their ${rootPages} pages)`, filePages.length, zstd19(pagesAt(pages, filePages))],
    [kernel ? `the kernel image (${(kernel.start / 1048576).toFixed(0)}-${(kernel.end / 1048576).toFixed(1)} MiB physical)` : 'the kernel image (range unknown)', classes.kernel.length, zstd19(pagesAt(pages, classes.kernel))],
    ['other RAM (page tables, kernel allocations, processes)', classes.other.length, zstd19(pagesAt(pages, classes.other))],
  ];
  const otherBytes = zstd19(new Uint8Array(Buffer.concat(pages.others)));
  const total = rows.reduce((n, r) => n + r[2], 0) + otherBytes;
  console.log('');
  console.log(`${'part'.padEnd(72)} ${'pages'.padStart(6)} ${'raw'.padStart(9)} ${'zstd -19 alone'.padStart(15)} ${'share'.padStart(6)}`);
  for (const [name, n, z] of rows) console.log(`${name.padEnd(72)} ${String(n).padStart(6)} ${mib(n).padStart(9)} ${mb(z).padStart(15)} ${`${((z / total) * 100).toFixed(0)}%`.padStart(6)}`);
  console.log(`${'devices and VGA memory (outside guest RAM)'.padEnd(72)} ${''.padStart(6)} ${`${(others / 1048576).toFixed(1)} MiB`.padStart(9)} ${mb(otherBytes).padStart(15)} ${`${((otherBytes / total) * 100).toFixed(0)}%`.padStart(6)}`);
  console.log(`${'parts compressed alone, together'.padEnd(72)} ${''.padStart(6)} ${''.padStart(9)} ${mb(total).padStart(15)}   (the whole: ${mb(compressed.length)})`);
  if (top > 0) {
    console.log('');
    console.log(`the root's files whose pages cost most (compressed alone; top ${top} by pages):`);
    const byPages = [...classes.files.entries()].sort((a, b) => b[1].length - a[1].length).slice(0, top);
    for (const [path, idx] of byPages) console.log(`  ${path.padEnd(56)} ${String(idx.length).padStart(5)} pages ${mib(idx.length).padStart(8)} ${mb(zstd19(pagesAt(pages, idx))).padStart(9)}`);
  }
});
