// Web Worker entry: runs the VM driver core headless (v86 needs no DOM here) and exposes it to
// the page with comlink. Use it through connectVmWorker() (worker-client.ts), which gives the
// page an ordinary VmApi.
//
// Terminal stream: comlink calls are too slow for a byte stream, so the page hands the worker a
// MessagePort (attachTerminal). Worker -> page: { type: 'data', bytes: Uint8Array } with the
// buffer transferred, output batched for up to 8 ms or 16 KiB. Page -> worker: Uint8Array
// keystrokes, posted as they come.
import * as Comlink from 'comlink';
import v86WasmUrl from 'v86/build/v86.wasm?url';
import { DIST_FILES } from './assets.ts';
import { AssetError, urlAssets, joinUrl, type AssetProgress, type BrowserVmConfig, type UrlAssets } from './browser-assets.ts';
import type { VmCore } from './core.ts';
import { VmError } from './errors.ts';
import { urlFolder, type FolderSource } from './share.ts';
import type { BootOptions, ExecOptions, ExecResult, HttpRequest, HttpResponse, VmStatus } from './types.ts';
import type { InspectRequest, InspectSnapshot } from './inspect.ts';
import type { ChainOp, ChainTraceAnswer } from './chain.ts';
import type { V86Constructor } from './v86-types.ts';

export type TerminalMessage = { type: 'data'; bytes: Uint8Array };

/** The index of a lazily read folder, requested at once (it is needed right after the restore). */
function prefetchedIndex(source: FolderSource): FolderSource {
  let index: ReturnType<FolderSource['index']> | null = null;
  const load = () => {
    index ??= source.index().catch((e: unknown) => {
      index = null;
      throw e;
    });
    return index;
  };
  load().catch(() => undefined);
  return { ...source, index: load, read: source.read.bind(source), ...(source.release ? { release: source.release.bind(source) } : {}) };
}

/**
 * A folder the playground works without (the Debian mirror: only apt-get needs it): when its
 * index cannot be had (not built, offline before it was cached), it shows as an empty folder
 * rather than failing the boot.
 */
function optionalFolder(source: FolderSource, name: string): FolderSource {
  return {
    ...source,
    index: () =>
      source.index().catch((e: unknown) => {
        console.warn(`[vm] ${name} is not available (${e instanceof Error ? e.message : String(e)}); /mnt/host/${name} stays empty`);
        return { version: 3 as const, size: 0, fsroot: [] };
      }),
    read: source.read.bind(source),
  };
}

const MiB = 1024 * 1024;

const FLUSH_MS = 8;
const FLUSH_BYTES = 16 * 1024;

export class WorkerVm {
  private vm: VmCore | null = null;
  private port: MessagePort | null = null;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private assets: UrlAssets | null = null;
  private config: BrowserVmConfig | null = null;
  private onProgress: BootOptions['onProgress'] | undefined;
  /** Settles once the VM exists (v86's JavaScript loaded); rejects when that failed. */
  private created: Promise<void> | null = null;

  /**
   * Starts downloading what a boot needs, then loads the emulator's JavaScript and creates the
   * VM (boot() awaits both). Small on purpose: the page's messages reach it before v86 is loaded.
   */
  init(config: BrowserVmConfig): void {
    if (this.created) throw new VmError('init: the worker already has a VM');
    const wasmUrl = config.wasmUrl ?? v86WasmUrl;
    this.config = config;
    const assets = urlAssets({ ...config, wasmUrl }, (p) => this.downloadProgress(p));
    this.assets = assets;
    assets.prefetch();
    this.created = import('./worker-engine.ts').then((engine) => this.create(config, assets, engine));
    this.created.catch(() => undefined); // boot() reports it
  }

  private create(config: BrowserVmConfig, assets: UrlAssets, engine: typeof import('./worker-engine.ts')): void {
    const V86 = engine.V86 as unknown as V86Constructor;
    this.vm = new engine.VmCore({
      V86: config.v86Mode === 'tuned' ? engine.tunedForWorker(V86) : V86,
      ...(config.jitMaxPages ? { jitMaxPages: config.jitMaxPages } : {}),
      ...(config.v86Mode === 'default' || config.v86Mode === undefined ? { onNetworkUse: engine.forTraffic } : {}),
      stockV86: config.v86Mode === 'stock',
      warmUp: config.warmUp ?? config.v86Mode !== 'stock',
      assets,
      memoryMiB: config.memoryMiB,
      network: config.network,
      shares: {
        // Part of the guest (its /bin/ip, /usr/bin/unshare... link there); cached whole for offline use.
        tools: prefetchedIndex(urlFolder(joinUrl(config.distUrl, DIST_FILES.tools), joinUrl(config.distUrl, DIST_FILES.toolsIndex))),
        ...(config.registry === false
          ? {}
          : {
              registry: prefetchedIndex(urlFolder(joinUrl(config.distUrl, DIST_FILES.registry), joinUrl(config.distUrl, DIST_FILES.registryIndex))),
              // Its index is a few KB; its files come over HTTP as apt asks for them (the service worker keeps each one).
              mirror: prefetchedIndex(optionalFolder(urlFolder(joinUrl(config.distUrl, DIST_FILES.mirror), joinUrl(config.distUrl, DIST_FILES.mirrorIndex)), DIST_FILES.mirror)),
            }),
      },
      log: (m) => console.info(`[vm] ${m}`),
    });
    this.vm.onTerminal((bytes) => this.queue(bytes));
  }

  private downloadProgress(p: AssetProgress): void {
    const size = p.total ? ` (${(p.loaded / MiB).toFixed(1)} of ${(p.total / MiB).toFixed(1)} MiB)` : ` (${(p.loaded / MiB).toFixed(1)} MiB)`;
    this.onProgress?.({ phase: 'loading', message: `downloading ${p.asset}${size}`, ...(p.total ? { fraction: Math.min(1, p.loaded / p.total) } : {}) });
  }

  private core(): VmCore {
    if (!this.vm) throw new VmError('the worker VM is not initialised (call init first)');
    return this.vm;
  }

  attachTerminal(port: MessagePort): void {
    this.port?.close();
    this.port = port;
    port.onmessage = (e: MessageEvent<Uint8Array>) => this.vm?.sendTerminal(e.data);
  }

  private queue(bytes: Uint8Array): void {
    if (!this.port) return;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const out = new Uint8Array(this.pendingBytes);
    let at = 0;
    for (const c of this.pending) {
      out.set(c, at);
      at += c.length;
    }
    this.pending = [];
    this.pendingBytes = 0;
    const msg: TerminalMessage = { type: 'data', bytes: out };
    this.port?.postMessage(msg, [out.buffer]);
  }

  /**
   * Boot options without the callback; progress comes through onProgress (a comlink proxy).
   * Without memoryMiB the guest gets the boot snapshot's memory size, so the snapshot fits.
   * A failed download rejects with an AssetError (name "AssetError") naming the asset.
   */
  async boot(opts: Omit<BootOptions, 'onProgress'>, onProgress?: BootOptions['onProgress']): Promise<void> {
    if (!this.created) throw new VmError('the worker VM is not initialised (call init first)');
    this.onProgress = onProgress;
    try {
      await this.created.catch((e: unknown) => {
        throw new VmError(`the emulator's code could not be loaded (${e instanceof Error ? e.message : e}); reload to try again`);
      });
      const core = this.core();
      let memoryMiB = opts.memoryMiB ?? this.config?.memoryMiB;
      // The core creates the emulator while the snapshot downloads; a failed download stops the
      // boot with its name (the core falls back to a cold boot only when a snapshot cannot be restored).
      // A lesson state brings its own size.
      if (opts.snapshot !== false && this.assets && !opts.lessonState) memoryMiB ??= (await this.assets.snapshotMeta())?.memoryMiB;
      const t0 = performance.now();
      await core.boot({ ...opts, ...(memoryMiB ? { memoryMiB } : {}), onProgress });
      const how =
        core.lastBoot?.mode === 'cold'
          ? `cold (${core.lastBoot.fallbackReason ?? 'asked for'})`
          : core.lastBoot?.lessonState
            ? `from the starting state of ${core.lastBoot.lessonState.slug}`
            : 'from the snapshot';
      const ph = core.lastBoot?.phases;
      const phases = ph ? ` (state in hand ${ph.loadMs} ms${ph.raw ? `, decompressed copy${ph.inPlace ? ' read in place' : ''}` : ''}, emulator ${ph.emulatorMs} ms, restore ${ph.restoreMs} ms, first answer ${ph.answerMs} ms)` : '';
      console.info(`[vm] boot started ${Math.round(t0)} ms after the worker started; booted ${how} in ${Math.round(performance.now() - t0)} ms${phases}`);
    } catch (e) {
      // The core wraps errors in its own; the learner needs to know which download failed.
      const cause = e instanceof AssetError ? e : findAssetError(e);
      if (cause) throw new AssetError(cause.asset, cause.url, cause.message.replace(/^Downloading .*? failed: /, ''));
      throw e;
    } finally {
      this.onProgress = undefined;
    }
  }
  status(): VmStatus {
    return this.vm?.status() ?? 'stopped';
  }
  exec(command: string, opts?: ExecOptions): Promise<ExecResult> {
    return this.core().exec(command, opts);
  }
  inspect(req?: InspectRequest): Promise<InspectSnapshot> {
    return this.core().inspect(req);
  }
  chainTrace(op: ChainOp): Promise<ChainTraceAnswer> {
    return this.core().chainTrace(op);
  }
  writeFile(path: string, data: Uint8Array | string): Promise<void> {
    return this.core().writeFile(path, data);
  }
  async readFile(path: string): Promise<Uint8Array> {
    const data = await this.core().readFile(path);
    return Comlink.transfer(data, [data.buffer]);
  }
  async saveState(): Promise<ArrayBuffer> {
    const s = await this.core().saveState();
    return Comlink.transfer(s, [s]);
  }
  restoreState(state: ArrayBuffer): Promise<void> {
    return this.core().restoreState(state);
  }
  /** The lesson state the last boot restored (BootOptions.lessonState), with the guest's size; null if it restored none. */
  bootedLessonState(): { slug: string; key: string; memoryMiB: number } | null {
    const l = this.vm?.lastBoot?.lessonState;
    return l && this.vm ? { ...l, memoryMiB: this.vm.memorySize } : null;
  }
  /** Whether the running guest started from the boot snapshot (restoreBootSnapshot can go back to it). */
  bootedFromSnapshot(): boolean {
    return this.vm?.lastBoot?.mode === 'snapshot';
  }
  /**
   * The guest back to the boot snapshot, read again (from Cache Storage or the HTTP cache), so
   * that Reset needs no copy of a saved state kept in memory.
   */
  async restoreBootSnapshot(): Promise<void> {
    const core = this.core();
    if (!this.assets || core.lastBoot?.mode !== 'snapshot') throw new VmError('restoreBootSnapshot: the guest did not boot from the boot snapshot');
    const snap = await this.assets.snapshot(core.memorySize);
    if (!('state' in snap)) throw new VmError(`restoreBootSnapshot: ${snap.missing}`);
    await core.restoreState(snap.state, core.memorySize, snap.keepRaw);
  }
  /** See VmCore.restoreLessonState; a failed download rejects with an AssetError naming it. */
  restoreLessonState(slug: string, key: string): Promise<{ memoryMiB: number } | null> {
    return this.core().restoreLessonState(slug, key);
  }
  resizeTerminal(cols: number, rows: number): Promise<void> {
    return this.core().resizeTerminal(cols, rows);
  }
  async http(port: number, request?: HttpRequest): Promise<HttpResponse> {
    const r = await this.core().http(port, request);
    return Comlink.transfer(r, [r.body.buffer]);
  }
  async destroy(): Promise<void> {
    await this.created?.catch(() => undefined);
    await this.vm?.destroy();
  }
}

/** An AssetError's text inside another error's message (the core rewraps what it catches). */
function findAssetError(e: unknown): AssetError | null {
  const m = /Downloading (.+?) \((\S+)\) failed: (.*)$/s.exec(e instanceof Error ? e.message : String(e));
  return m ? new AssetError(m[1]!, m[2]!, m[3]!) : null;
}

Comlink.expose(new WorkerVm());
