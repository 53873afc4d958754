// The VM driver in Node (tests, CLI, lesson runner, snapshot builder): the shared core with
// assets read from vm-images/dist and v86's wasm from node_modules.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { V86 } from 'v86';
import { DIST_FILES, lessonStateFiles, RAW_STATES_DIR, rawStateTag, snapshotFiles, type LessonStateMeta, type SnapshotMeta } from './assets.ts';
import { DEFAULT_MEMORY_MIB, VGA_MEMORY, VmCore, type KeepRaw, type LessonStateAsset, type VmAssetLoader } from './core.ts';
import { isWholeStateFile, rawStateFile, type RawStateFile, type StateBytes } from './state-restore.ts';
import { diskFolder } from './node-share.ts';
import type { FolderSource } from './share.ts';
import type { V86Constructor } from './v86-types.ts';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** vm-images/dist, or $WHALEBONE_DIST (to try another guest image without touching the build). */
export const distRoot = process.env.WHALEBONE_DIST ?? join(repoRoot, 'vm-images', 'dist');
export const distPath = (...p: string[]) => join(distRoot, ...p);
export const cmdlinePath = join(repoRoot, 'vm-images', 'cmdline.txt');

const require = createRequire(import.meta.url);
const v86Dir = dirname(dirname(require.resolve('v86')));
export const v86Version = (JSON.parse(readFileSync(join(v86Dir, 'package.json'), 'utf8')) as { version: string }).version;
export const wasmPath = join(v86Dir, 'build', 'v86.wasm');

/** Files a cold boot needs; the first one missing, or null when all are there. */
export function missingBootFile(): string | null {
  for (const f of [DIST_FILES.bzImage, DIST_FILES.initrd, DIST_FILES.bios, DIST_FILES.vgaBios])
    if (!existsSync(distPath(f))) return distPath(f).replace(repoRoot + '/', '');
  if (!existsSync(cmdlinePath)) return 'vm-images/cmdline.txt';
  return null;
}

function readBuffer(path: string): ArrayBuffer {
  if (!existsSync(path)) throw new Error(`missing ${path.replace(repoRoot + '/', '')}: run npm run build:vm`);
  const b = readFileSync(path);
  // A large file gets a buffer of its own: no copy needed (30 MB for a raw state).
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) return b.buffer as ArrayBuffer;
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** A kept raw state, open for the restore to read (see RawStateFile); null unless whole and of rawBytes. */
export function openRawState(path: string, rawBytes: number): RawStateFile | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  const file = rawStateFile(fstatSync(fd).size, (into, at) => readSync(fd, into, 0, into.length, at), () => closeSync(fd), path);
  if (isWholeStateFile(file, rawBytes)) return file;
  file.close();
  return null;
}

/**
 * A state file as the core gets it: the decompressed copy kept from an earlier restore of this
 * very build of it (left in its file: see RawStateFile), else the compressed file with a keepRaw
 * that stores the copy.
 */
function stateWithRawCopy(dist: string, file: string, meta: { createdAt: string; rawBytes: number }, keep: boolean): { state: StateBytes; keepRaw?: KeepRaw } {
  const dir = join(dist, RAW_STATES_DIR);
  const name = `${file}.${rawStateTag(meta)}`;
  const kept = keep ? openRawState(join(dir, name), meta.rawBytes) : null;
  if (kept) return { state: kept };
  const state = readBuffer(join(dist, file));
  if (!keep) return { state };
  return {
    state,
    keepRaw: (raw) => {
      // Written aside under a name of its own and renamed: test workers (threads of one process
      // too) restoring in parallel never read or write half a copy.
      const tmp = join(dir, `${name}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`);
      mkdir(dir, { recursive: true })
        .then(() => writeFile(tmp, new Uint8Array(raw)))
        .then(() => rename(tmp, join(dir, name)))
        .then(async () => {
          for (const old of await readdir(dir)) if (old.startsWith(`${file}.`) && old !== name && !old.endsWith('.tmp')) await rm(join(dir, old), { force: true });
        })
        .catch(() => rm(tmp, { force: true }).catch(() => undefined));
    },
  };
}

/** A snapshot's metadata file: null when absent, { bad } when unreadable. */
function readMeta(path: string): { meta: SnapshotMeta } | { bad: true } | null {
  if (!existsSync(path)) return null;
  try {
    return { meta: JSON.parse(readFileSync(path, 'utf8')) as SnapshotMeta };
  } catch {
    return { bad: true };
  }
}

/** Hashes already computed in this process, by the inputs' paths, sizes and modification times. */
const inputsHashes = new Map<string, string>();

/**
 * Identifies what a boot snapshot was made from; a snapshot whose hash differs is stale. Every
 * restore checks it: reading and hashing the 7 MB of kernel and initramfs took 12-40 ms of each
 * one, so a process that boots again (tests, benchmarks, the lesson runner) hashes files it has
 * hashed before only when they changed on disk.
 */
export function snapshotInputsHash(memoryMiB: number, dist = distPath()): string {
  const files = [...[DIST_FILES.bzImage, DIST_FILES.initrd, DIST_FILES.bios, DIST_FILES.vgaBios].map((f) => join(dist, f)), cmdlinePath];
  const key = JSON.stringify([memoryMiB, ...files.map((f) => {
    const st = statSync(f);
    return [f, st.size, st.mtimeMs, st.ino];
  })]);
  const known = inputsHashes.get(key);
  if (known) return known;
  const hash = inputsHashOf(memoryMiB, dist);
  inputsHashes.set(key, hash);
  return hash;
}

function inputsHashOf(memoryMiB: number, dist: string): string {
  const h = createHash('sha256');
  for (const f of [DIST_FILES.bzImage, DIST_FILES.initrd, DIST_FILES.bios, DIST_FILES.vgaBios]) h.update(f).update(readFileSync(join(dist, f)));
  h.update(readFileSync(cmdlinePath, 'utf8').trim());
  h.update(`v86 ${v86Version} memory ${memoryMiB} vga ${VGA_MEMORY}`);
  return h.digest('hex').slice(0, 24);
}

/** keepRaw false: always the compressed states, none kept (the stock-v86 baseline of the benchmarks). */
export function nodeAssets(dist = distPath(), keepRaw = true): VmAssetLoader {
  return {
    async wasm() {
      return readBuffer(wasmPath);
    },
    async bios() {
      return { bios: readBuffer(join(dist, DIST_FILES.bios)), vgaBios: readBuffer(join(dist, DIST_FILES.vgaBios)) };
    },
    async kernel() {
      return {
        bzImage: readBuffer(join(dist, DIST_FILES.bzImage)),
        initrd: readBuffer(join(dist, DIST_FILES.initrd)),
        cmdline: readFileSync(cmdlinePath, 'utf8'),
      };
    },
    async snapshot(memoryMiB) {
      const plain = readMeta(join(dist, DIST_FILES.snapshotMeta));
      // The default size's snapshot (its metadata is read already), or the one built for a lesson's size beside it.
      const ofPlain = plain && 'meta' in plain && plain.meta.memoryMiB === memoryMiB ? plain : null;
      const files = snapshotFiles(ofPlain ? null : memoryMiB);
      const file = join(dist, files.state);
      if (!existsSync(file)) {
        if (plain && 'meta' in plain) return { missing: `the boot snapshot is for ${plain.meta.memoryMiB} MiB, and there is none for ${memoryMiB} MiB (vm-images/dist/${files.state})` };
        return { missing: `no boot snapshot at vm-images/dist/${DIST_FILES.snapshot}` };
      }
      const read = ofPlain ?? readMeta(join(dist, files.meta));
      if (!read || !('meta' in read)) return { missing: `the boot snapshot has no readable ${files.meta}` };
      const { meta } = read;
      if (meta.memoryMiB !== memoryMiB) return { missing: `the boot snapshot ${files.state} is for ${meta.memoryMiB} MiB, not ${memoryMiB} MiB` };
      const missing = missingBootFile();
      if (!missing && meta.inputs !== snapshotInputsHash(memoryMiB, dist))
        return { missing: 'the boot snapshot is stale (kernel, initramfs, BIOS, cmdline or v86 changed); run npm run build:vm' };
      return stateWithRawCopy(dist, files.state, meta, keepRaw);
    },
    async lessonState(slug) {
      const files = lessonStateFiles(slug);
      const metaFile = join(dist, files.meta);
      if (!existsSync(metaFile) || !existsSync(join(dist, files.state))) return null;
      let meta: LessonStateMeta;
      try {
        meta = JSON.parse(readFileSync(metaFile, 'utf8')) as LessonStateMeta;
      } catch {
        return null;
      }
      // Made from another guest than the one built now: the lesson's set-up runs instead.
      if (!missingBootFile() && meta.bootInputs !== snapshotInputsHash(meta.memoryMiB, dist)) return null;
      // Read when asked for, at most once: the copy it names and its keepRaw go together.
      let read: { state: StateBytes; keepRaw?: KeepRaw } | null = null;
      const asset: LessonStateAsset = {
        meta,
        state: async () => {
          read = stateWithRawCopy(dist, files.state, meta, keepRaw);
          return read.state;
        },
        keepRaw: (raw) => read?.keepRaw?.(raw),
      };
      return asset;
    },
  };
}

export interface NodeVmOptions {
  memoryMiB?: number;
  network?: boolean;
  /** Host folders at /mnt/host/<name>; default: the offline registry and Debian mirror when built. The guest's tools folder is always added. */
  shares?: Record<string, string | FolderSource>;
  log?: (message: string) => void;
  dist?: string;
  /** See VmCoreOptions.stockV86 (benchmark baselines only). */
  stockV86?: boolean;
  /** See VmCoreOptions.warmUp (off by default here: tests and benchmarks time a quiet guest). */
  warmUp?: boolean;
}

export function createNodeVm(opts: NodeVmOptions = {}): VmCore {
  const shares: Record<string, FolderSource> = {};
  if (opts.shares) for (const [name, src] of Object.entries(opts.shares)) shares[name] = typeof src === 'string' ? diskFolder(src) : src;
  else {
    if (existsSync(distPath(DIST_FILES.registry)))
      // build:vm writes the registry's index after the registry (scripts/build-snapshot.ts).
      shares.registry = diskFolder(distPath(DIST_FILES.registry), distPath(DIST_FILES.registryIndex));
    // build:mirror writes the mirror's index with the mirror.
    if (existsSync(distPath(DIST_FILES.mirrorIndex))) shares.mirror = diskFolder(distPath(DIST_FILES.mirror), distPath(DIST_FILES.mirrorIndex));
  }
  // Part of the guest, whatever else is shared: its /bin/ip, /usr/bin/unshare... link there.
  if (!shares.tools && existsSync(distPath(DIST_FILES.toolsIndex))) shares.tools = diskFolder(distPath(DIST_FILES.tools), distPath(DIST_FILES.toolsIndex));
  return new VmCore({
    V86: V86 as unknown as V86Constructor,
    assets: nodeAssets(opts.dist, !opts.stockV86),
    memoryMiB: opts.memoryMiB ?? DEFAULT_MEMORY_MIB,
    network: opts.network,
    shares,
    log: opts.log,
    stockV86: opts.stockV86,
    warmUp: opts.warmUp,
  });
}
