// Assets for the browser: fetched from the URL where the app serves vm-images/dist.
// Everything a snapshot restore needs (wasm, BIOS, snapshot) is requested at once, in parallel,
// as soon as the loader exists, so downloads overlap with the worker's and the page's start-up.
// Downloads report progress by name, and a failed download throws an AssetError that names the
// asset. A loader keeps its results, failures included (the app retries with a new worker, so a
// new loader); there is no silent second attempt that would hide a broken server.
import { DIST_FILES, lessonStateFiles, rawStateTag, snapshotFiles, type LessonStateMeta, type SnapshotMeta } from './assets.ts';
import type { KeepRaw, VmAssetLoader } from './core.ts';
import { isStateFile, isWholeRawState, isWholeStateFile, rawStateFile, type StateBytes } from './state-restore.ts';

export interface BrowserVmConfig {
  /** URL of the folder serving vm-images/dist, e.g. "/vm/" (absolute, or relative to the worker). */
  distUrl: string;
  /** URL of v86.wasm (the worker defaults to the copy Vite bundles from node_modules/v86). */
  wasmUrl?: string;
  /** Kernel command line (vm-images/cmdline.txt; the app can import it with ?raw). */
  cmdline: string;
  /** Guest memory; by default the boot snapshot's (state.json), else the driver's default. */
  memoryMiB?: number;
  /** virtio-net on v86's in-page fetch network (default true). */
  network?: boolean;
  /** Show the offline registry at /mnt/host/registry, read lazily over HTTP (default true). */
  registry?: boolean;
  /**
   * How much of v86 to adjust. 'default': the driver's fast restore (restoreIntoFresh) and v86's
   * own loop and JIT, moved to worker-v86.ts's settings for traffic (synchronous JIT compiles, the
   * same-thread yield) at the first port preview request. 'own-loop': never moved (to compare).
   * 'tuned': those settings from the start (to compare). 'stock': v86 exactly as shipped,
   * restore_state included: bench:app's baseline.
   */
  v86Mode?: V86Mode;
  /** The most guest code pages one v86 JIT module spans (VmCoreOptions.jitMaxPages): ?jit-pages=N, to compare. */
  jitMaxPages?: number;
  /** Warm v86's JIT after each restore (VmCoreOptions.warmUp): default true, except with v86Mode 'stock'; ?warm-up=0 turns it off, to compare. */
  warmUp?: boolean;
  /** The lesson state the first boot will ask for (BootOptions.lessonState): fetched first, instead of the boot snapshot. */
  lessonState?: { slug: string; key: string };
  /**
   * The boot snapshot's metadata as the app was built with it (the same build writes state.json):
   * used instead of a request for state.json, which the restore of a kept copy would wait for.
   */
  snapshotMeta?: SnapshotMeta;
}

export type V86Mode = 'default' | 'own-loop' | 'tuned' | 'stock';

export const V86_MODES: readonly V86Mode[] = ['default', 'own-loop', 'tuned', 'stock'];

/** Progress of one download. */
export interface AssetProgress {
  /** What the learner reads: "the boot snapshot". */
  asset: string;
  url: string;
  loaded: number;
  /** Bytes expected (Content-Length, or the size the metadata gives), 0 when unknown. */
  total: number;
}

/** A download that failed: which asset, from where, and why. Survives comlink by its name and message. */
export class AssetError extends Error {
  override name = 'AssetError';
  constructor(
    readonly asset: string,
    readonly url: string,
    reason: string,
  ) {
    super(`Downloading ${asset} (${url}) failed: ${reason}`);
  }
}

export function joinUrl(base: string, name: string): string {
  return (base.endsWith('/') ? base : base + '/') + name;
}

export interface DownloadOptions {
  /** Reported progress; the total is Content-Length unless the server compressed the body. */
  onProgress?: (p: AssetProgress) => void;
  /** The total to report when Content-Length cannot give it (read at each report). */
  expectedBytes?: number | (() => number);
  fetchFn?: (url: string) => Promise<Response>;
}

/**
 * fetch, but a file the service worker has cached is read from Cache Storage directly: on a
 * returning visit the round trip of each request through the service worker, which is starting
 * up too, cost the snapshot hundreds of milliseconds.
 */
export async function fetchCachedFirst(url: string): Promise<Response> {
  if (typeof caches !== 'undefined') {
    const hit = await caches.match(new URL(url, self.location.href).href).catch(() => undefined);
    if (hit) return hit;
  }
  return fetch(url);
}

/** The response for an asset; a request that fails outright is an AssetError naming it. */
async function request(asset: string, url: string, fetchFn: (url: string) => Promise<Response> = fetchCachedFirst): Promise<Response> {
  try {
    return await fetchFn(url);
  } catch (e) {
    throw new AssetError(asset, url, `network error (${e instanceof Error ? e.message : e}); are you offline?`);
  }
}

function httpError(asset: string, url: string, res: Response): AssetError {
  return new AssetError(asset, url, `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
}

/** Fetches a whole file, reporting progress as the body streams in. */
export async function download(asset: string, url: string, opts: DownloadOptions = {}): Promise<ArrayBuffer> {
  const { onProgress, expectedBytes = 0, fetchFn } = opts;
  const res = await request(asset, url, fetchFn);
  if (!res.ok) throw httpError(asset, url, res);
  // Content-Length is the compressed size when the server compresses: use it only when it is not.
  const header = Number(res.headers.get('content-length') ?? 0);
  const expected = () => (typeof expectedBytes === 'function' ? expectedBytes() : expectedBytes);
  const total = () => (res.headers.get('content-encoding') ? expected() : header || expected());
  if (!res.body || !onProgress) return res.arrayBuffer();
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let loaded = 0;
  let lastReport = 0;
  onProgress({ asset, url, loaded, total: total() });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      loaded += value.length;
      if (loaded - lastReport >= 256 * 1024) {
        lastReport = loaded;
        onProgress({ asset, url, loaded, total: total() });
      }
    }
  } catch (e) {
    throw new AssetError(asset, url, `the download broke off after ${loaded} bytes (${e instanceof Error ? e.message : e})`);
  }
  onProgress({ asset, url, loaded, total: Math.max(total(), loaded) });
  if (parts.length === 1 && parts[0]!.byteOffset === 0 && parts[0]!.byteLength === parts[0]!.buffer.byteLength) return parts[0]!.buffer as ArrayBuffer;
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out.buffer;
}

/** A memoised download. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | null = null;
  return () => (p ??= load());
}

/** One value per key, made on first use. */
function memoBy<K, V>(make: (key: K) => V): (key: K) => V {
  const made = new Map<K, V>();
  return (key) => {
    if (!made.has(key)) made.set(key, make(key));
    return made.get(key) as V;
  };
}

/** A saved guest state's metadata (null: none) and its bytes (see handedOver). */
interface SavedState<M> {
  meta: () => Promise<M | null>;
  state: () => Promise<LoadedState>;
  take: () => Promise<LoadedState>;
}

/**
 * A state downloaded once (state(), also for the prefetch) and handed over once (take()): not
 * kept afterwards, since it is several MB for as long as the tab lives; a later restore (Reset)
 * reads it again, from Cache Storage or the HTTP cache.
 */
function handedOver(load: () => Promise<LoadedState>): Pick<SavedState<unknown>, 'state' | 'take'> {
  let download: Promise<LoadedState> | null = null;
  const state = () => (download ??= load());
  return {
    state,
    take() {
      const d = state();
      download = null;
      return d;
    },
  };
}

/**
 * Decompressed copies of the states restored (KeepRaw) live in this folder of the origin's private
 * file system, as <state file>.<rawStateTag>, one per state file. Reading 30 MB from there takes
 * half as long as from Cache Storage (about 90 against 190 ms in Chromium on the 2-core host).
 */
export const RAW_STATES_FOLDER = 'raw-states';

async function rawFolder(create: boolean): Promise<FileSystemDirectoryHandle | null> {
  if (typeof navigator === 'undefined' || typeof navigator.storage?.getDirectory !== 'function') return null;
  try {
    return await (await navigator.storage.getDirectory()).getDirectoryHandle(RAW_STATES_FOLDER, { create });
  } catch {
    return null;
  }
}

/** The part of a sync access handle the restore reads through (dedicated workers only; not in the DOM lib). */
interface SyncReadHandle {
  getSize(): number;
  read(into: Uint8Array, options: { at: number }): number;
  close(): void;
}
type SyncOpenable = FileSystemFileHandle & { createSyncAccessHandle?: (options?: { mode: 'read-only' }) => Promise<SyncReadHandle> };

/**
 * A kept copy for the restore to read (RawStateFile): through a sync access handle in the VM's
 * worker, which reads straight into guest RAM; read-only handles share their lock, so two tabs can
 * restore the same copy. Elsewhere (no sync handles) the bytes, read whole.
 */
async function openKept(handle: FileSystemFileHandle): Promise<StateBytes> {
  const open = (handle as SyncOpenable).createSyncAccessHandle;
  const sync = typeof open === 'function' ? await open.call(handle, { mode: 'read-only' }).catch(() => null) : null;
  if (!sync) return (await handle.getFile()).arrayBuffer();
  return rawStateFile(sync.getSize(), (into, at) => sync.read(into, { at }), () => sync.close(), 'the kept state');
}

/** Whether a kept copy has the length and the header of a whole raw state of rawBytes. */
function isWholeKept(state: StateBytes, rawBytes: number): boolean {
  return isStateFile(state) ? isWholeStateFile(state, rawBytes) : state.byteLength === rawBytes && isWholeRawState(state);
}

/**
 * The copy kept of this build of a state file when it is there and whole, else null. The folder
 * holds one copy per file, so it is opened while the metadata that names its build may still be
 * on the way (a lesson state's is requested), then checked against it.
 */
async function keptRaw(folder: FileSystemDirectoryHandle, file: string, meta: Promise<{ createdAt: string; rawBytes: number } | null>): Promise<StateBytes | null> {
  let state: StateBytes | null = null;
  try {
    const names: string[] = [];
    for await (const entry of folder.keys()) if (entry.startsWith(`${file}.`)) names.push(entry);
    if (names.length === 0) return null;
    // Two copies only when a tab closed between writing one and removing the other: wait for the name.
    const early = names.length === 1 ? openKept(await folder.getFileHandle(names[0] as string)) : null;
    early?.catch(() => undefined);
    const m = await meta;
    state = early ? await early : null;
    const name = m ? `${file}.${rawStateTag(m)}` : '';
    if (!m || !names.includes(name)) return null;
    state ??= await openKept(await folder.getFileHandle(name));
    if (!isWholeKept(state, m.rawBytes)) return null;
    const whole = state;
    state = null;
    return whole;
  } catch {
    return null;
  } finally {
    if (state && isStateFile(state)) state.close();
  }
}

/**
 * How long after a restore its copy is written: writing 30-40 MB competes for the CPU with the
 * emulator and the browser's own processes, and right after a restore the learner is still
 * waiting for the lesson (a lesson switch took 0.3-0.5 s longer with the write at once).
 */
const RAW_WRITE_DELAY_MS = 5_000;

/** The part of a read-write sync access handle and of a handle's move() the write uses. */
interface SyncWriteHandle {
  write(from: Uint8Array, options: { at: number }): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}
type SyncWritable = FileSystemFileHandle & { createSyncAccessHandle?: () => Promise<SyncWriteHandle>; move?: (name: string) => Promise<void> };

/** Bytes written per turn of the worker's event loop (about 10 ms each), so the guest runs between. */
const RAW_WRITE_CHUNK = 4 << 20;

/**
 * Writes raw as name, whole or not at all: into name.part, then renamed. Through a sync access
 * handle in the VM's worker: a writable stream's chunks each wait for the event loop, which the
 * emulator keeps busy, so 30 MB took 5-10 s there (against 0.25 s in an idle worker), and a tab
 * closed meanwhile kept nothing. Elsewhere a writable, which swaps its file in when closed.
 */
async function writeKept(folder: FileSystemDirectoryHandle, name: string, raw: ArrayBuffer): Promise<void> {
  const part = (await folder.getFileHandle(`${name}.part`, { create: true })) as SyncWritable;
  const canSync = typeof part.createSyncAccessHandle === 'function' && typeof part.move === 'function';
  const sync = canSync ? await part.createSyncAccessHandle!().catch(() => null) : null;
  // another tab holds name.part: it is writing the same copy
  if (canSync && !sync) return;
  if (!sync) {
    await folder.removeEntry(`${name}.part`).catch(() => undefined);
    const out = await (await folder.getFileHandle(name, { create: true })).createWritable();
    await out.write(raw);
    await out.close();
    return;
  }
  try {
    sync.truncate(0);
    const bytes = new Uint8Array(raw);
    for (let at = 0; at < bytes.length; at += RAW_WRITE_CHUNK) {
      const chunk = bytes.subarray(at, at + RAW_WRITE_CHUNK);
      if (sync.write(chunk, { at }) !== chunk.length) throw new Error('a short write (is the disk full?)');
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    sync.flush();
  } catch (e) {
    // a full quota, say: the half copy would only hold the space
    sync.close();
    await folder.removeEntry(`${name}.part`).catch(() => undefined);
    throw e;
  }
  sync.close();
  // a copy there already was unusable (else this restore had read it): it goes first
  await folder.removeEntry(name).catch(() => undefined);
  await part.move!(name);
}

/** Stores a state file's decompressed copy, and drops the copies of its other builds. */
function keepRawOf(file: string, meta: { createdAt: string; rawBytes: number }): KeepRaw {
  const name = `${file}.${rawStateTag(meta)}`;
  return (raw) => {
    void (async () => {
      await new Promise((resolve) => setTimeout(resolve, RAW_WRITE_DELAY_MS));
      const folder = await rawFolder(true);
      if (!folder) return;
      await writeKept(folder, name, raw);
      const stale: string[] = [];
      for await (const other of folder.keys()) if (other !== name && other.startsWith(`${file}.`)) stale.push(other);
      for (const other of stale) await folder.removeEntry(other).catch(() => undefined);
    })().catch((e: unknown) => console.warn(`[vm] keeping the decompressed state for next time failed: ${e instanceof Error ? e.message : e}`));
  };
}

/** A state and what the core may do with its decompressed bytes (KeepRaw). */
interface LoadedState {
  state: StateBytes;
  keepRaw?: KeepRaw;
}

export interface UrlAssets extends VmAssetLoader {
  /** The snapshot's metadata, or null when there is no (readable) snapshot. */
  snapshotMeta(): Promise<SnapshotMeta | null>;
  /** Starts every download a snapshot restore needs, without waiting for them. */
  prefetch(): void;
}

export function urlAssets(config: BrowserVmConfig & { wasmUrl: string }, onProgress?: (p: AssetProgress) => void): UrlAssets {
  const at = (name: string) => joinUrl(config.distUrl, name);
  const get = (asset: string, name: string, opts: DownloadOptions = {}) => download(asset, name.includes('/') ? name : at(name), { onProgress, ...opts });
  const wasm = once(() => get('the emulator (v86.wasm)', config.wasmUrl));
  // Compiled as it streams in; the browser then caches the compiled code beside the response
  // (HTTP or service worker cache), so a later visit skips compiling the 2 MB emulator (seconds of
  // background CPU for the optimizing tier). A server that sends another MIME type than
  // application/wasm gets the plain download and compile.
  const wasmModule = once(async (): Promise<WebAssembly.Module> => {
    const asset = 'the emulator (v86.wasm)';
    if (typeof WebAssembly.compileStreaming !== 'function') return WebAssembly.compile(await wasm());
    const res = await request(asset, config.wasmUrl);
    if (!res.ok) throw httpError(asset, config.wasmUrl, res);
    if (!/^application\/wasm\b/.test(res.headers.get('content-type') ?? '')) {
      void res.body?.cancel();
      return WebAssembly.compile(await wasm());
    }
    onProgress?.({ asset, url: config.wasmUrl, loaded: 0, total: 0 });
    return WebAssembly.compileStreaming(res).catch((e: unknown) => {
      // A body that broke off is a TypeError; a CompileError is a bad file, not a download.
      throw e instanceof TypeError ? new AssetError(asset, config.wasmUrl, `the download broke off (${e.message})`) : e;
    });
  });
  const bios = once(() => get('the BIOS', DIST_FILES.bios));
  const vgaBios = once(() => get('the VGA BIOS', DIST_FILES.vgaBios));
  // Stock v86 as the benchmarks' baseline restores what the build ships, as it always did.
  const keepRaw = config.v86Mode !== 'stock';
  /**
   * A state file: the decompressed copy kept from an earlier visit when it was made from the
   * build the metadata names, else download() (the compressed file), whose copy is then kept.
   */
  const loadState = async (file: string, meta: () => Promise<{ createdAt: string; rawBytes: number } | null>, download: () => Promise<ArrayBuffer>): Promise<LoadedState> => {
    // The metadata is asked for meanwhile; without the folder (a first visit) the download starts
    // at once, not after it.
    const built = keepRaw ? meta().catch(() => null) : null;
    const folder = keepRaw ? await rawFolder(false) : null;
    const raw = folder && built ? await keptRaw(folder, file, built) : null;
    if (raw) return { state: raw };
    const state = await download();
    const made = keepRaw && typeof navigator !== 'undefined' && navigator.storage ? await built : null;
    return made ? { state, keepRaw: keepRawOf(file, made) } : { state };
  };
  /** A snapshot's metadata and state, by guest size (null: the default size's). */
  const snapshotOf = memoBy((memoryMiB: number | null): SavedState<SnapshotMeta> => {
    const files = snapshotFiles(memoryMiB);
    const meta = once(async (): Promise<SnapshotMeta | null> => {
      if (memoryMiB === null && config.snapshotMeta) return config.snapshotMeta;
      const url = at(files.meta);
      const res = await request('the boot snapshot metadata', url);
      // A build without a snapshot (for this size) is legal: the guest boots cold. A failing server is not.
      if (res.status === 404) return null;
      if (!res.ok) throw new AssetError('the boot snapshot metadata', url, `HTTP ${res.status}`);
      return (await res.json().catch(() => null)) as SnapshotMeta | null;
    });
    // Requested with the metadata, not after it: its size only labels the progress, which the
    // Content-Length gives as well unless the server compresses.
    let snapshotBytes = 0;
    return {
      meta,
      ...handedOver(() =>
        loadState(files.state, meta, () => {
          meta().then((m) => (snapshotBytes = m?.compressedBytes ?? 0), () => undefined);
          return get('the boot snapshot', files.state, { expectedBytes: () => snapshotBytes });
        }),
      ),
    };
  });
  /** A lesson state's metadata (null: none to use) and its state, by lesson. */
  const lessonOf = memoBy((slug: string): SavedState<LessonStateMeta> => {
    const files = lessonStateFiles(slug);
    const meta = once(async (): Promise<LessonStateMeta | null> => {
      const url = at(files.meta);
      // A lesson without one (a build that made none, an old offline cache) runs its set-up instead.
      const res = await request("the lesson's starting state", url).catch((e: unknown) => {
        console.warn(`[vm] ${e instanceof Error ? e.message : e}: the lesson's set-up runs instead`);
        return null;
      });
      if (!res?.ok) return null;
      const m = (await res.json().catch(() => null)) as LessonStateMeta | null;
      return m && typeof m.key === 'string' ? m : null;
    });
    return { meta, ...handedOver(() => loadState(files.state, meta, () => meta().then((m) => get("the lesson's starting state", files.state, { expectedBytes: m?.compressedBytes ?? 0 })))) };
  });
  const plain = snapshotOf(null);
  // A guest size asked for up front (a link to a lesson with environment.memory): its snapshot is
  // the one to fetch early, not the default one.
  const first = config.memoryMiB ? snapshotOf(config.memoryMiB) : plain;
  return {
    snapshotMeta: plain.meta,
    prefetch() {
      // Errors surface when boot asks for the asset; here they only must not go unhandled.
      // A size with no snapshot of its own is either the default one's size or a cold boot.
      const boot = () =>
        first === plain
          ? plain.state()
          : first.meta().then((m) => (m ? first.state() : plain.meta().then((d) => (d?.memoryMiB === config.memoryMiB ? plain.state() : null))));
      // A lesson link: that lesson's starting state replaces the boot snapshot when it matches.
      const want = config.lessonState;
      const state = want ? lessonOf(want.slug).meta().then((m) => (m?.key === want.key ? lessonOf(want.slug).state() : boot())) : boot();
      for (const p of [wasmModule(), bios(), vgaBios(), ...(want ? [] : [first.meta()]), state]) p.catch(() => undefined);
    },
    wasm,
    wasmModule,
    async bios() {
      const [b, v] = await Promise.all([bios(), vgaBios()]);
      // v86 may keep or detach what it is given: hand it copies, so a later boot can reuse ours.
      return { bios: b.slice(0), vgaBios: v.slice(0) };
    },
    async kernel() {
      const [bzImage, initrd] = await Promise.all([get('the kernel', DIST_FILES.bzImage), get('the initramfs', DIST_FILES.initrd)]);
      return { bzImage, initrd, cmdline: config.cmdline };
    },
    async snapshot(memoryMiB) {
      const m = await plain.meta();
      if (m?.memoryMiB === memoryMiB) return plain.take(); // v86 may detach it: the caller gets the only reference
      // Another size: the snapshot built for it (a lesson's environment.memory), if the build has one.
      const own = snapshotOf(memoryMiB);
      const o = await own.meta();
      if (!o) return { missing: m ? `the boot snapshot is for ${m.memoryMiB} MiB, and there is none for ${memoryMiB} MiB` : `no boot snapshot at ${at(DIST_FILES.snapshotMeta)}` };
      if (o.memoryMiB !== memoryMiB) return { missing: `the boot snapshot ${snapshotFiles(memoryMiB).state} is for ${o.memoryMiB} MiB, not ${memoryMiB} MiB` };
      return own.take();
    },
    async lessonState(slug) {
      const l = lessonOf(slug);
      const meta = await l.meta();
      if (!meta) return null;
      let taken: LoadedState | null = null;
      return { meta, state: async () => (taken = await l.take()).state, keepRaw: (raw) => taken?.keepRaw?.(raw) };
    },
  };
}
