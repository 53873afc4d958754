// Vite config for the playground app. The guest artifacts in vm-images/dist are served at ./vm/
// (dev server and `vite preview`) and copied into the build, so the built folder is self-contained
// and works from any sub-path (base './').
import { createHash } from 'node:crypto';
import { cpSync, createReadStream, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { defineConfig, type Plugin, type Connect } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { DIST_FILES, RAW_STATES_DIR, snapshotFiles } from './src/vm/assets.ts';
import { indexFileKeys } from './src/vm/share.ts';
import type { V86FsIndex } from './src/vm/v86-types.ts';
import { loadLessonsFromDisk } from './src/lessons/node.ts';
import { hasStartState, lessonStartKey } from './src/lessons/start-state.ts';

const DIST_VM = resolve(import.meta.dirname, 'vm-images/dist');
const VM_PATH = 'vm/';

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.zst': 'application/octet-stream',
  '.gz': 'application/octet-stream',
  '.bin': 'application/octet-stream',
};

function serveVmFolder(): Connect.NextHandleFunction {
  return (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const at = url.pathname.indexOf('/' + VM_PATH);
    if (at < 0) return next();
    const rel = decodeURIComponent(url.pathname.slice(at + VM_PATH.length + 1));
    const file = normalize(join(DIST_VM, rel));
    if (!file.startsWith(DIST_VM) || !existsSync(file) || !statSync(file).isFile()) return next();
    res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(statSync(file).size));
    res.setHeader('Cache-Control', 'no-cache');
    createReadStream(file).pipe(res);
  };
}

function vmAssets(): Plugin {
  let outDir = 'dist';
  return {
    name: 'whalebone-vm-assets',
    configResolved(c) {
      outDir = resolve(c.root, c.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use(serveVmFolder());
    },
    configurePreviewServer(server) {
      server.middlewares.use(serveVmFolder());
    },
    closeBundle() {
      if (!existsSync(DIST_VM)) {
        this.warn(`vm-images/dist is missing: the build has no guest (run npm run build:vm)`);
        return;
      }
      // The runtime folder is for Node tests only, and Node's decompressed states for Node only; the
      // page needs the guest, BIOS, snapshot and registry.
      cpSync(DIST_VM, join(outDir, VM_PATH), { recursive: true, filter: (src) => !src.includes('/runtime') && !src.includes(`/${RAW_STATES_DIR}`) });
      stampServiceWorker(outDir);
    },
  };
}

const LESSONS_ID = 'virtual:whalebone-lessons';
const MEMORY_ID = 'virtual:whalebone-lesson-memory';

/**
 * From one read of the lessons: the guest memory (MiB) of each lesson that asks for a bigger guest
 * than the boot snapshot's, and the starting-state key (src/lessons/start-state.ts) of each
 * lesson with a set-up, by slug.
 */
function lessonBootFacts(): { memory: Record<string, number>; startKeys: Record<string, string> } {
  const memory: Record<string, number> = {};
  const startKeys: Record<string, string> = {};
  for (const { slug, lesson } of loadLessonsFromDisk(resolve(import.meta.dirname, 'lessons')).entries) {
    if (lesson?.environment.memoryMiB) memory[slug] = lesson.environment.memoryMiB;
    if (lesson && hasStartState(lesson)) startKeys[slug] = lessonStartKey(lesson);
  }
  return { memory, startKeys };
}

/**
 * The boot snapshot's metadata (state.json) as this build copies it into the app, or null: the
 * worker then asks for no file before it restores a kept copy of the snapshot.
 */
function builtSnapshotMeta(): unknown {
  try {
    return JSON.parse(readFileSync(join(DIST_VM, DIST_FILES.snapshotMeta), 'utf8')) as unknown;
  } catch {
    return null;
  }
}

/**
 * The lessons, parsed at build time with the app's own loader (src/app/lessons.ts), so the page
 * does not parse YAML and markdown on its main thread. The dev server gets null: the app loads
 * the lesson sources there (hot updates).
 */
function prebuiltLessons(): Plugin {
  let serve = false;
  return {
    name: 'whalebone-lessons',
    configResolved(c) {
      serve = c.command === 'serve';
    },
    resolveId: (id) => (id === LESSONS_ID || id === MEMORY_ID ? '\0' + id : null),
    load(id) {
      // A few bytes for the entry chunk: main.ts boots a lesson link's guest at its size, or from
      // its starting state, at once. Not under the dev server, where lessons change as they are
      // written: there the app compares the key of the lesson it loaded before restoring a state.
      if (id === '\0' + MEMORY_ID) {
        const { memory, startKeys } = lessonBootFacts();
        return `export default ${JSON.stringify(memory)};\nexport const startKeys = ${JSON.stringify(serve ? {} : startKeys)};\nexport const snapshotMeta = ${JSON.stringify(serve ? null : builtSnapshotMeta())};`;
      }
      if (id !== '\0' + LESSONS_ID) return null;
      if (serve) return 'export default null;';
      const set = loadLessonsFromDisk(resolve(import.meta.dirname, 'lessons'));
      for (const e of [...set.errors, ...set.entries.flatMap((x) => x.errors)]) this.warn(`lessons/${e.file}: ${e.message}`);
      // JSON.parse of a string is the quickest way for the page to get a large object.
      return `export default JSON.parse(${JSON.stringify(JSON.stringify(set))});`;
    },
  };
}

/** Monaco language workers the app never starts (its getWorker hands out the editor and JSON ones). */
const UNUSED_CHUNK = /^(ts|css|html)\.worker-/;

/** The scripts every visit runs before the prompt: the entry, the UI and the VM worker. */
const CRITICAL_CHUNK = /^\.\/assets\/(index|App|worker)-[\w-]+\.js$/;

/** Guest files a snapshot restore reads whole (the kernel and initramfs only serve a cold boot). */
const BOOT_SET = [DIST_FILES.bios, DIST_FILES.vgaBios, DIST_FILES.snapshot, DIST_FILES.snapshotMeta, DIST_FILES.registryIndex, DIST_FILES.toolsIndex];
/**
 * A lesson that asks for a guest size with no snapshot of its own boots cold, from the kernel and
 * initramfs: with such a lesson in the course they are cached for offline use too, or its link
 * would fail offline while the page says "Available offline".
 */
const COLD_BOOT_SET = [DIST_FILES.bzImage, DIST_FILES.initrd];

/**
 * Writes the build's version, app shell and boot set into dist/sw.js: the version changes
 * whenever a bundle or a guest file does (so the new service worker replaces the old caches); the
 * shell (every bundle the app may load, without Monaco's unused language workers) and the boot set
 * are what the service worker caches for offline use.
 */
function stampServiceWorker(outDir: string): void {
  const swPath = join(outDir, 'sw.js');
  if (!existsSync(swPath)) return;
  const shell = readdirSync(join(outDir, 'assets'))
    .filter((f) => !UNUSED_CHUNK.test(f))
    .sort()
    .map((f) => `./assets/${f}`);
  const h = createHash('sha256').update(shell.join('\n'));
  const vm = join(outDir, VM_PATH);
  for (const f of readdirSync(vm).sort()) {
    const st = statSync(join(vm, f));
    if (st.isFile()) h.update(`${f} ${st.size} ${st.mtimeMs}`);
  }
  // The guest's tools (ip, unshare and glibc, 6.3 MiB): read on demand, not at boot, but every
  // namespace and network lesson runs them, so they are cached whole for offline use.
  const toolsIndexPath = join(vm, DIST_FILES.toolsIndex);
  const toolsIndex = existsSync(toolsIndexPath) ? readFileSync(toolsIndexPath, 'utf8') : null;
  const registryIndex = join(vm, DIST_FILES.registryIndex);
  if (existsSync(registryIndex)) h.update(readFileSync(registryIndex));
  if (toolsIndex !== null) h.update(toolsIndex);
  h.update(readFileSync(join(outDir, 'index.html')));
  const meta = join(vm, DIST_FILES.snapshotMeta);
  const snapshotMiB = existsSync(meta) ? (JSON.parse(readFileSync(meta, 'utf8')) as { memoryMiB: number }).memoryMiB : 0;
  // Each size a lesson asks for: its own snapshot (scripts/build-snapshot.ts), or a cold boot.
  const sizes = [...new Set(Object.values(lessonBootFacts().memory))].filter((m) => m !== snapshotMiB);
  const sized = sizes.flatMap((m) => Object.values(snapshotFiles(m))).filter((f) => existsSync(join(vm, f)));
  const coldBoots = sizes.some((m) => !existsSync(join(vm, snapshotFiles(m).state)));
  // The lesson starting states too (7-9 MB each, fetched after the lesson is ready, last): fetched
  // only when a lesson opens, each made that first switch 2-2.4 s instead of about 1 s here, and
  // far longer on a slow network, at the moment the learner waits.
  const lessonStates = readdirSync(vm).filter((f) => /^lesson-.+\.(bin\.zst|json)$/.test(f));
  const tools = toolsIndex !== null ? indexFileKeys(JSON.parse(toolsIndex) as V86FsIndex).map((f) => `${DIST_FILES.tools}/${f}`) : [];
  const boot = [...BOOT_SET, ...sized, ...(coldBoots ? COLD_BOOT_SET : []), ...lessonStates, ...tools].filter((f) => existsSync(join(vm, f))).map((f) => `./${VM_PATH}${f}`);
  const critical = shell.filter((f) => CRITICAL_CHUNK.test(f));
  const build = { version: h.digest('hex').slice(0, 16), shell, critical, boot };
  const src = readFileSync(swPath, 'utf8');
  const stamped = src.replace(/\/\* build \*\/ \{[^\n]*\};/, `/* build */ ${JSON.stringify(build)};`);
  if (stamped === src) throw new Error('public/sw.js: the BUILD placeholder is missing');
  writeFileSync(swPath, stamped);
}

export default defineConfig({
  base: './',
  plugins: [svelte(), vmAssets(), prebuiltLessons()],
  worker: { format: 'es' },
  // The VM worker's dependencies, found late by the dev server's scan, would reload the page mid-boot.
  optimizeDeps: { include: ['v86', 'comlink'] },
  server: { port: 5173, fs: { allow: ['.'] } },
  preview: { port: 4173 },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
});
