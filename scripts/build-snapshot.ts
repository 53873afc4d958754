// The boot snapshot: cold-boots the guest headless in Node, waits for the shell prompt and the
// control agent, drops the page cache, zeroes the guest's free memory (so it compresses to
// nothing), saves v86's state and compresses it with zstd, which v86's restore_state reads
// directly (in the browser too). Cached by a hash of everything the boot depends on.
// One snapshot for the default guest size, and one for each bigger size a lesson asks for
// (environment.memory), so opening such a lesson restores in a second instead of booting cold.
// Also writes the 9p index of the offline registry when the registry has been built.
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIST_FILES, snapshotFiles, type SnapshotMeta } from '../src/vm/assets.ts';
import { loadLessonsFromDisk } from '../src/lessons/node.ts';
import { DEFAULT_MEMORY_MIB, type VmCore } from '../src/vm/core.ts';
import { createNodeVm, distPath, distRoot, missingBootFile, snapshotInputsHash, v86Version } from '../src/vm/node.ts';
import { writeFolderIndex } from '../src/vm/node-share.ts';
import { ensureHostTools } from './lib/apt.ts';
import { cached, install } from './lib/cache.ts';
import { run } from './lib/exec.ts';
import { BuildError, log, runMain, stage } from './lib/progress.ts';

const SCOPE = 'snapshot';
// Part of the cache key: change it when the procedure below changes what it produces.
const RECIPE = 'cold boot; sync; drop_caches=3; compact; zero free memory through a tmpfs; save_state; zstd -19';

/**
 * Fills the guest's free memory with zeros and gives it back: pages freed during the boot (the
 * initramfs image, dropped caches) otherwise keep their old bytes. The kernel's init_on_free=1
 * did this on every free, but it also cleared all of RAM at each cold boot (about a second in
 * the emulator) and taxed every process exit afterwards. A tmpfs capped below MemFree cannot
 * push the guest into the OOM killer.
 */
const ZERO_FREE_MEMORY = [
  'free=$(sed -n "s/^MemFree: *\\([0-9]*\\) kB/\\1/p" /proc/meminfo)',
  'mkdir -p /run/zero-fill',
  'mount -t tmpfs -o size=$((free - 12288))k zero-fill /run/zero-fill',
  'cat /dev/zero >/run/zero-fill/z 2>/dev/null',
  'rm -f /run/zero-fill/z',
  'umount /run/zero-fill',
  'rmdir /run/zero-fill',
].join('; ');
export const MAX_SNAPSHOT_BYTES = 10 * 1000 * 1000;

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

export interface SnapshotResult {
  file: string;
  meta: SnapshotMeta;
}

/** The guest sizes lessons ask for besides the default (environment.memory), each once, in order. */
export function lessonMemorySizes(): number[] {
  const sizes = new Set<number>();
  for (const e of loadLessonsFromDisk().entries) {
    const m = e.lesson?.environment.memoryMiB;
    if (m && m !== DEFAULT_MEMORY_MIB) sizes.add(m);
  }
  return [...sizes].sort((a, b) => a - b);
}

/** The default size's snapshot, then one per lesson size; snapshots of sizes no lesson asks for any more are removed. */
export async function buildSnapshots(): Promise<SnapshotResult[]> {
  const sizes = lessonMemorySizes();
  const out = [await buildSnapshot()];
  for (const memoryMiB of sizes) out.push(await buildSnapshot({ memoryMiB }));
  const keep = new Set(sizes.flatMap((m) => Object.values(snapshotFiles(m))));
  for (const f of readdirSync(distRoot)) if (/^state-\d+\.(bin\.zst|json)$/.test(f) && !keep.has(f)) rmSync(join(distRoot, f));
  writeRegistryIndex();
  return out;
}

export async function buildSnapshot(opts: { memoryMiB?: number } = {}): Promise<SnapshotResult> {
  const memoryMiB = opts.memoryMiB ?? DEFAULT_MEMORY_MIB;
  // The default size keeps the plain names: the browser learns that size from state.json.
  const files = snapshotFiles(opts.memoryMiB && opts.memoryMiB !== DEFAULT_MEMORY_MIB ? memoryMiB : null);
  const missing = missingBootFile();
  if (missing) throw new BuildError(`cannot build the boot snapshot: ${missing} is missing (the guest image stages make it)`);
  await ensureHostTools(SCOPE, { zstd: 'zstd' });
  const inputs = snapshotInputsHash(memoryMiB);
  const dir = await cached(SCOPE, {
    name: 'snapshot',
    inputs: [inputs, RECIPE],
    build: (out) => stage(SCOPE, `cold boot and save (${memoryMiB} MiB guest)`, () => saveSnapshot(out, memoryMiB, inputs)),
  });
  const dist = distRoot;
  install(dir, DIST_FILES.snapshot, dist, files.state);
  install(dir, DIST_FILES.snapshotMeta, dist, files.meta);
  const meta = JSON.parse(readFileSync(join(dir, DIST_FILES.snapshotMeta), 'utf8')) as SnapshotMeta;
  log(SCOPE, `${join(dist, files.state)}: ${mib(meta.compressedBytes)} (raw ${mib(meta.rawBytes)}, ${memoryMiB} MiB guest)`);
  if (meta.compressedBytes > MAX_SNAPSHOT_BYTES) log(SCOPE, `warning: the snapshot is over its 10 MB budget`);
  return { file: join(dist, files.state), meta };
}

async function saveSnapshot(out: string, memoryMiB: number, inputs: string): Promise<void> {
  const vm = createNodeVm({ memoryMiB, shares: {}, log: (m) => log(SCOPE, m) });
  let last = '';
  try {
    await vm.boot({
      snapshot: false,
      onProgress: (p) => {
        if (p.phase !== last) log(SCOPE, `boot: ${p.message}`);
        last = p.phase;
      },
    });
    log(SCOPE, `guest ready after ${((vm.lastBoot?.ms ?? 0) / 1000).toFixed(1)} s`);
    // dockerd starts in the background at boot (etc/whalebone/init.d/50-dockerd): the snapshot
    // must hold it ready to serve
    const d = await vm.exec(
      'i=0; while [ ! -S /var/run/docker.sock ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done; [ -S /var/run/docker.sock ] || { tail -5 /var/log/dockerd.log; exit 1; }',
      { timeoutMs: 90_000 },
    );
    if (d.exitCode !== 0) throw new BuildError(`dockerd did not come up in the guest within 60 s; /var/log/dockerd.log ends with:\n${d.stdout}${d.stderr}`);
    const meta: SnapshotMeta = {
      inputs,
      memoryMiB,
      v86: v86Version,
      ...(await saveCompressed(vm, join(out, DIST_FILES.snapshot))),
      createdAt: new Date().toISOString(),
    };
    writeFileSync(join(out, DIST_FILES.snapshotMeta), JSON.stringify(meta, null, 2) + '\n');
  } finally {
    await vm.destroy();
  }
}

/**
 * Drops the guest's caches, zeroes its free memory, saves its state and compresses it with zstd
 * into file (which v86's restore_state reads as it is): the boot snapshot and the lesson states.
 */
export async function saveCompressed(vm: VmCore, file: string): Promise<{ rawBytes: number; compressedBytes: number }> {
  const r = await vm.exec(`sync; echo 3 >/proc/sys/vm/drop_caches; echo 1 >/proc/sys/vm/compact_memory 2>/dev/null; ${ZERO_FREE_MEMORY}`, { timeoutMs: 120_000 });
  if (r.exitCode !== 0) throw new BuildError(`dropping the guest's caches and zeroing its free memory failed: ${r.stderr}`);
  const raw = await vm.saveState();
  const rawFile = `${file}.raw`;
  writeFileSync(rawFile, new Uint8Array(raw));
  await run('zstd', ['-19', '-q', '-f', rawFile, '-o', file]);
  rmSync(rawFile);
  return { rawBytes: raw.byteLength, compressedBytes: statSync(file).size };
}

/** The browser reads the registry lazily over HTTP through this index (see src/vm/share.ts). */
export function writeRegistryIndex(): void {
  const reg = distPath(DIST_FILES.registry);
  if (!existsSync(reg)) return;
  const index = writeFolderIndex(reg, distPath(DIST_FILES.registryIndex));
  log(SCOPE, `vm-images/dist/${DIST_FILES.registryIndex}: ${mib(index.size)} of registry files indexed`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) runMain(SCOPE, async () => void (await buildSnapshots()));
