// The VM driver core, shared by Node (node.ts) and the browser worker (worker.ts): boots the
// guest cold or from the boot snapshot, runs commands on the control channel (ttyS1), moves
// files over 9p, saves and restores state, and streams the learner's terminal (ttyS0).
// v86's constructor and the assets are injected, so nothing here depends on the platform.
import type { V86Options } from 'v86';
import type { BootOptions, BootProgress, ExecOptions, ExecResult, VmApi, VmStatus } from './types.ts';
import { ControlChannel, type PayloadStash } from './control.ts';
import { VmError } from './errors.ts';
import { attachFolder, shareStorageOf, type FolderSource } from './share.ts';
import { GUEST_SHARE, type LessonStateMeta } from './assets.ts';
import { HttpClient } from './http/client.ts';
import { v86Dialer } from './http/v86-socket.ts';
import type { HttpRequest, HttpResponse } from './http/types.ts';
import { decodeSnapshot, encodeParts, type InspectRequest, type InspectSnapshot } from './inspect.ts';
import { decodeChainAnswer, type ChainOp, type ChainTraceAnswer } from './chain.ts';
import { JIT_MAX_PAGES, setJitMaxPages } from './jit.ts';
import { WARM_UP_AFTER_MS, warmUpCommand } from './warm-up.ts';
import { isStateFile, isZstd, restoreIntoFresh, stateBytes, type StateBytes } from './state-restore.ts';
import type { V86Constructor, V86Emulator, V86Filesystem } from './v86-types.ts';

const MiB = 1024 * 1024;
export const DEFAULT_MEMORY_MIB = 256;
/** Must be the same when the snapshot is saved and restored. */
export const VGA_MEMORY = 2 * MiB;

/**
 * What a cold boot waits for before it counts as booted, so that a guest of a size without a
 * boot snapshot (a lesson's environment.memory) is in the state a restored snapshot is in:
 * dockerd, which init starts in the background, serving on its socket. scripts/build-snapshot.ts
 * saves the snapshot only after this. Shell built-ins and sleep only.
 */
export const COLD_BOOT_SETTLED =
  'i=0; while [ -e /etc/whalebone/init.d/50-dockerd ] && [ ! -S /var/run/docker.sock ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done; ' +
  '[ ! -e /etc/whalebone/init.d/50-dockerd ] || [ -S /var/run/docker.sock ] || { tail -3 /var/log/dockerd.log; exit 1; }';

export interface KernelAssets {
  bzImage: ArrayBuffer;
  initrd: ArrayBuffer;
  cmdline: string;
}

/** Where the core gets its assets from; only what a boot path needs is loaded. */
export interface VmAssetLoader {
  wasm(): Promise<ArrayBuffer>;
  /** v86's wasm compiled, when the loader can do better than compiling wasm()'s bytes (the browser streams and caches the compiled code). */
  wasmModule?(): Promise<WebAssembly.Module>;
  bios(): Promise<{ bios: ArrayBuffer; vgaBios: ArrayBuffer }>;
  kernel(): Promise<KernelAssets>;
  /** The compressed (or raw) boot snapshot for this memory size, or why there is none. */
  snapshot(memoryMiB: number): Promise<{ state: StateBytes; keepRaw?: KeepRaw } | { missing: string }>;
  /** A lesson's starting state (assets.ts lessonStateFiles), or null when the build has none for it. */
  lessonState?(slug: string): Promise<LessonStateAsset | null>;
}

export interface LessonStateAsset {
  meta: LessonStateMeta;
  /** The compressed (or raw) state, read when called (the metadata decides first whether it is wanted). */
  state(): Promise<StateBytes>;
  keepRaw?: KeepRaw;
}

/**
 * Given a compressed state's decompressed bytes after a restore (once the guest answers, off the
 * boot's path): a loader that stores them hands them out instead next time, which restores
 * without the zstd step (100-300 ms).
 */
export type KeepRaw = (raw: ArrayBuffer) => void;

export interface VmCoreOptions {
  V86: V86Constructor;
  assets: VmAssetLoader;
  memoryMiB?: number;
  /** virtio-net on v86's in-page "fetch" network (default true). */
  network?: boolean;
  /** Host folders to show at /mnt/host/<name> after boot. */
  shares?: Record<string, FolderSource>;
  /** Cold boot budget before giving up (default 120 s: this machine is shared). */
  bootTimeoutMs?: number;
  /** Diagnostics (fallbacks, share sizes). */
  log?: (message: string) => void;
  /**
   * Boot the way v86 does out of the box (the guest gunzips its initramfs, restore_state clears
   * all RAM first): only bench:vm uses it, to measure its baseline in the same run.
   */
  stockV86?: boolean;
  /**
   * The most guest code pages per v86 JIT module (jit.ts): default JIT_MAX_PAGES, or v86's own
   * limit when null or with stockV86.
   */
  jitMaxPages?: number | null;
  /**
   * Called with the emulator at the first http() request to the guest: the browser worker moves
   * v86 to the settings that serve the port preview's traffic there (worker-v86.ts), which cost a
   * boot and the terminal more than they bring.
   */
  onNetworkUse?: (emulator: V86Emulator) => void;
  /**
   * After each restore, warm v86's JIT with read-only guest commands in the background
   * (warm-up.ts): the app does, so a learner's first commands are not interpreted; tests and
   * benchmarks do not, unless they measure it.
   */
  warmUp?: boolean;
}

/** Directory on the share for exec payloads too large for the serial line. */
const STASH_DIR = '.whalebone';

/** Collects bytes emitted one at a time and hands them on in one chunk per microtask. */
class ByteBatcher {
  private buf: number[] = [];
  private scheduled = false;
  constructor(private readonly flush: (chunk: Uint8Array) => void) {}
  push = (byte: number): void => {
    this.buf.push(byte);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      const chunk = Uint8Array.from(this.buf);
      this.buf = [];
      this.flush(chunk);
    });
  };
}

/** Watches the console (ttyS0) during a cold boot for progress and the shell's prompt. */
class ConsoleWatch {
  tail = '';
  promptSeen = false;
  private phase = 0;
  private waiters: (() => void)[] = [];
  constructor(private readonly progress: (p: BootProgress) => void) {}

  feed(chunk: Uint8Array): void {
    let s = '';
    for (const b of chunk) s += String.fromCharCode(b);
    this.tail = (this.tail + s).slice(-4096);
    // With "quiet" on the command line the first console output may come from init already.
    if (this.phase < 1 && this.tail.length > 0) {
      this.phase = 1;
      this.progress({ phase: 'kernel', message: 'kernel starting', fraction: 0.3 });
    }
    if (this.phase < 2 && /Run \/init|Freeing unused kernel/.test(this.tail)) {
      this.phase = 2;
      this.progress({ phase: 'init', message: 'starting the guest system', fraction: 0.7 });
    }
    // An interactive busybox shell asks for the cursor position (ESC[6n) at each prompt.
    if (!this.promptSeen && (this.tail.includes('\x1b[6n') || /[#$] $/.test(this.tail))) {
      this.promptSeen = true;
      for (const w of this.waiters.splice(0)) w();
    }
  }

  waitPrompt(): Promise<void> {
    return this.promptSeen ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }
}

export class VmCore implements VmApi {
  private emu: V86Emulator | null = null;
  private state: VmStatus = 'stopped';
  private control: ControlChannel | null = null;
  private readonly terminalListeners = new Set<(data: Uint8Array) => void>();
  private detach: (() => void) | null = null;
  private execs = 0;
  private wasmModule: Promise<WebAssembly.Module> | null = null;
  private memoryMiB = DEFAULT_MEMORY_MIB;
  /** The guest memory of the current (or last) boot, in MiB. */
  get memorySize(): number {
    return this.memoryMiB;
  }
  /** Keep-alive connections belong to one emulator: a new client for each. */
  private httpClient: HttpClient | null = null;
  /** How the last boot went, for CLIs and benchmarks. */
  lastBoot: { mode: 'snapshot' | 'cold'; ms: number; fallbackReason?: string; lessonState?: { slug: string; key: string }; phases?: RestorePhases } | null = null;

  constructor(private readonly opts: VmCoreOptions) {}

  status(): VmStatus {
    if (this.state === 'ready' && this.execs > 0) return 'busy';
    return this.state;
  }

  /** v86's network adapter (host <-> guest TCP), when networking is on and the emulator runs. */
  get network() {
    return this.emu?.network_adapter ?? null;
  }

  async boot(bootOpts: BootOptions = {}): Promise<void> {
    if (this.state !== 'stopped' && this.state !== 'crashed') throw new VmError(`boot: the VM is already ${this.state}`);
    if (this.emu) await this.teardown();
    const t0 = Date.now();
    // A lesson's starting state, when asked for and made from the lesson as it is, replaces the boot snapshot.
    const lesson = bootOpts.snapshot !== false && bootOpts.lessonState ? await this.usableLessonState(bootOpts.lessonState) : null;
    const memoryMiB = lesson?.meta.memoryMiB ?? bootOpts.memoryMiB ?? this.opts.memoryMiB ?? DEFAULT_MEMORY_MIB;
    if (!Number.isInteger(memoryMiB) || memoryMiB < 32 || memoryMiB > 2048) throw new VmError(`bad memoryMiB: ${memoryMiB}`);
    this.memoryMiB = memoryMiB;
    const progress = (p: BootProgress) => bootOpts.onProgress?.(p);
    this.state = 'booting';
    try {
      let fallbackReason: string | undefined;
      if (bootOpts.snapshot !== false) {
        progress({ phase: 'loading', message: lesson ? "loading the lesson's starting state" : 'loading the boot snapshot', fraction: 0 });
        const snapshot = lesson ? lesson.state().then((state) => ({ state, keepRaw: lesson.keepRaw })) : this.opts.assets.snapshot(memoryMiB);
        // The emulator (wasm instance, guest memory, firmware) is made while the snapshot downloads.
        const made = this.createEmulator(memoryMiB, {});
        made.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
        const snap = await snapshot.catch(async (e: unknown) => {
          await made.catch(() => undefined); // so that the teardown below finds the emulator
          throw e;
        });
        if ('state' in snap) {
          const loaded = Date.now();
          const emu = await made; // a download it needed failed: that is no reason to boot cold
          const phases: RestorePhases = { raw: isStateFile(snap.state) || !isZstd(snap.state), inPlace: isStateFile(snap.state), loadMs: loaded - t0, emulatorMs: Date.now() - t0, restoreMs: 0, answerMs: 0 };
          try {
            const raw = await this.restoreBoot(emu, snap.state, progress, phases, snap.keepRaw);
            await this.afterBoot(progress);
            if (this.opts.warmUp) this.scheduleWarmUp();
            if (raw) snap.keepRaw?.(raw);
            this.lastBoot = { mode: 'snapshot', ms: Date.now() - t0, phases, ...(lesson ? { lessonState: { slug: lesson.meta.slug, key: lesson.meta.key } } : {}) };
            return;
          } catch (e) {
            fallbackReason = `the boot snapshot could not be restored (${(e as Error).message})`;
            await this.teardown();
          }
        } else {
          fallbackReason = snap.missing;
          await made.catch(() => undefined);
          await this.teardown();
        }
        const msg = `${fallbackReason}; booting cold`;
        this.opts.log?.(msg);
        progress({ phase: 'loading', message: msg, fraction: 0 });
      }
      await this.coldBoot(memoryMiB, progress);
      await this.afterBoot(progress);
      const settled = await this.exec(COLD_BOOT_SETTLED, { timeoutMs: 90_000 });
      if (settled.exitCode !== 0) this.opts.log?.(`cold boot: the container engine is not up after 60 s (${settled.stdout.trim()})`);
      this.lastBoot = { mode: 'cold', ms: Date.now() - t0, ...(fallbackReason ? { fallbackReason } : {}) };
    } catch (e) {
      await this.teardown();
      this.state = 'crashed';
      throw e instanceof VmError ? e : new VmError(`boot failed: ${(e as Error).message}`);
    }
  }

  private async createEmulator(memoryMiB: number, extra: Partial<V86Options>): Promise<V86Emulator> {
    const [wasm, { bios, vgaBios }] = await Promise.all([this.module(), this.opts.assets.bios()]);
    const options: V86Options = {
      wasm_fn: async (env: WebAssembly.Imports) => (await WebAssembly.instantiate(wasm, env)).exports,
      memory_size: memoryMiB * MiB,
      vga_memory_size: VGA_MEMORY,
      bios: { buffer: bios },
      vga_bios: { buffer: vgaBios },
      filesystem: {},
      uart1: true,
      autostart: false,
      disable_keyboard: true,
      disable_mouse: true,
      disable_speaker: true,
      // The NIC must exist whether or not networking is on, or snapshots would not match.
      net_device: this.opts.network === false ? { type: 'virtio' } : { type: 'virtio', relay_url: 'fetch' },
      preserve_mac_from_state_image: true,
      ...extra,
    };
    const emu = new this.opts.V86(options);
    this.emu = emu;
    await new Promise<void>((resolve) => {
      const onLoaded = () => {
        emu.remove_listener('emulator-loaded', onLoaded);
        resolve();
      };
      emu.add_listener('emulator-loaded', onLoaded);
    });
    const jitPages = this.opts.jitMaxPages === undefined ? (this.opts.stockV86 ? null : JIT_MAX_PAGES) : this.opts.jitMaxPages;
    if (jitPages !== null) setJitMaxPages(emu, jitPages);
    this.wire(emu);
    return emu;
  }

  private module(): Promise<WebAssembly.Module> {
    this.wasmModule ??= this.opts.assets.wasmModule?.() ?? this.opts.assets.wasm().then((bytes) => WebAssembly.compile(bytes));
    return this.wasmModule;
  }

  /** Connects the serial ports: ttyS0 to terminal listeners, ttyS1 to the control channel. */
  private wire(emu: V86Emulator): void {
    const control = new ControlChannel({ send: (b) => emu.serial_send_bytes(1, b), stash: this.stash() });
    this.control = control;
    const term = new ByteBatcher((chunk) => {
      for (const l of this.terminalListeners) l(chunk);
    });
    const ctl = new ByteBatcher((chunk) => control.feed(chunk));
    const onTerm = term.push as (arg: never) => void;
    const onCtl = ctl.push as (arg: never) => void;
    emu.add_listener('serial0-output-byte', onTerm);
    emu.add_listener('serial1-output-byte', onCtl);
    this.detach = () => {
      emu.remove_listener('serial0-output-byte', onTerm);
      emu.remove_listener('serial1-output-byte', onCtl);
    };
  }

  /** Restores state and waits for the guest to answer; returns the state decompressed when keepRaw wants it. */
  private async restoreBoot(emu: V86Emulator, state: StateBytes, progress: (p: BootProgress) => void, phases?: RestorePhases, keepRaw?: KeepRaw): Promise<ArrayBuffer | null> {
    progress({ phase: 'restoring', message: 'restoring the boot snapshot', fraction: 0.2 });
    let t = Date.now();
    const raw = await this.restoreInto(emu, state, keepRaw);
    if (phases) phases.restoreMs = Date.now() - t;
    t = Date.now();
    await emu.run();
    progress({ phase: 'running', message: 'waiting for the guest', fraction: 0.8 });
    await this.awaitAgent();
    if (phases) phases.answerMs = Date.now() - t;
    return raw;
  }

  private async restoreInto(emu: V86Emulator, state: StateBytes, keepRaw?: KeepRaw): Promise<ArrayBuffer | null> {
    if (this.opts.stockV86) {
      await emu.restore_state(stateBytes(state));
      return null;
    }
    let raw: ArrayBuffer | null = null;
    await restoreIntoFresh(emu, state, keepRaw ? { onRaw: (r) => (raw = r) } : {});
    return raw;
  }

  private async coldBoot(memoryMiB: number, progress: (p: BootProgress) => void): Promise<void> {
    progress({ phase: 'loading', message: 'loading the kernel and initramfs', fraction: 0.05 });
    const k = await this.opts.assets.kernel();
    const emu = await this.createEmulator(memoryMiB, {
      bzimage: { buffer: k.bzImage },
      initrd: { buffer: this.opts.stockV86 ? k.initrd : await gunzipIfCompressed(k.initrd) },
      cmdline: k.cmdline.trim(),
    });
    const watch = new ConsoleWatch(progress);
    const onChunk = (c: Uint8Array) => watch.feed(c);
    this.terminalListeners.add(onChunk);
    const timeoutMs = this.opts.bootTimeoutMs ?? 120_000;
    try {
      const ready = this.requireControl().waitReady(timeoutMs);
      ready.then(() => progress({ phase: 'init', message: 'guest system up, waiting for the shell', fraction: 0.8 }), () => undefined);
      await emu.run();
      progress({ phase: 'bios', message: 'firmware starting', fraction: 0.1 });
      const deadline = Date.now() + timeoutMs;
      await Promise.race([
        Promise.all([ready, watch.waitPrompt()]),
        new Promise((_, reject) =>
          setTimeout(
            () => reject(new VmError(`cold boot: no prompt and control agent within ${timeoutMs} ms; console ends with:\n${watch.tail.slice(-600)}`)),
            Math.max(0, deadline - Date.now()),
          ),
        ),
      ]).catch((e: unknown) => {
        if (e instanceof VmError && /control agent did not start/.test(e.message))
          throw new VmError(`${e.message} (does "whalebone boot" (inittab sysinit) start "whalebone control-agent"? see /var/log/control-agent.log); console ends with:\n${watch.tail.slice(-600)}`);
        throw e;
      });
      await this.awaitAgent();
    } finally {
      this.terminalListeners.delete(onChunk);
    }
  }

  /** Pings the agent until it answers: right after a restore the guest runs with a cold JIT. */
  private async awaitAgent(totalMs = 30_000): Promise<void> {
    const deadline = Date.now() + totalMs;
    for (;;) {
      try {
        return await this.requireControl().ping(Math.min(5_000, Math.max(500, deadline - Date.now())));
      } catch (e) {
        if (Date.now() >= deadline) throw e;
      }
    }
  }

  /**
   * The JIT warm-up, once the page's own start is done: WARM_UP_AFTER_MS after the restore and no
   * exec in flight (the lesson's files, its Reset point), so the prompt and the lesson come first.
   * Measured in the tab, starting at once put the returning visit's prompt at 1.6-2.0 s instead
   * of 1.3 s.
   */
  private scheduleWarmUp(): void {
    const emu = this.emu;
    const attempt = (): void => {
      if (this.emu !== emu || this.state !== 'ready') return; // torn down, or booting again
      if (this.execs > 0) setTimeout(attempt, 250);
      else this.startWarmUp();
    };
    setTimeout(attempt, WARM_UP_AFTER_MS);
  }

  /** Starts the JIT warm-up in the guest; boot() does not wait for it. */
  private startWarmUp(): void {
    this.exec(warmUpCommand(), { timeoutMs: 30_000 })
      .then((r) => {
        if (r.exitCode !== 0) this.opts.log?.(`the warm-up did not start: ${(r.stderr || r.stdout).trim()}`);
      })
      .catch((e: unknown) => this.opts.log?.(`the warm-up did not start: ${(e as Error).message}`));
  }

  private async afterBoot(progress: (p: BootProgress) => void): Promise<void> {
    await this.reattachShares();
    this.state = 'ready';
    progress({ phase: 'ready', message: 'ready', fraction: 1 });
  }

  private requireEmu(): V86Emulator {
    if (!this.emu || (this.state !== 'ready' && this.state !== 'booting')) throw new VmError(`the VM is not running (status ${this.state})`);
    return this.emu;
  }

  private requireControl(): ControlChannel {
    if (!this.control) throw new VmError('the VM is not running');
    return this.control;
  }

  private fs(): V86Filesystem {
    const fs = this.requireEmu().fs9p;
    if (!fs) throw new VmError('the emulator has no 9p filesystem');
    return fs;
  }

  private stash(): PayloadStash {
    return {
      put: async (name, data) => {
        await this.writeFile(`${STASH_DIR}/${name}`, data);
        return `${GUEST_SHARE}/${STASH_DIR}/${name}`;
      },
      remove: async (name) => {
        const fs = this.emu?.fs9p;
        const p = fs?.SearchPath(`${STASH_DIR}/${name}`);
        if (fs && p && p.id !== -1) fs.Unlink(p.parentid, name);
      },
    };
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    if (this.state !== 'ready') throw new VmError(`exec: the VM is not ready (status ${this.state})`);
    const control = this.requireControl();
    this.execs++;
    try {
      return await control.exec(command, opts);
    } finally {
      this.execs--;
    }
  }

  async inspect(req?: InspectRequest): Promise<InspectSnapshot> {
    if (this.state !== 'ready') throw new VmError(`inspect: the VM is not ready (status ${this.state})`);
    return decodeSnapshot(await this.requireControl().inspect(undefined, encodeParts(req) || undefined));
  }

  async chainTrace(op: ChainOp): Promise<ChainTraceAnswer> {
    if (this.state !== 'ready') throw new VmError(`chain trace: the VM is not ready (status ${this.state})`);
    return decodeChainAnswer(await this.requireControl().chain(op));
  }

  async writeFile(sharePath: string, data: Uint8Array | string): Promise<void> {
    const fs = this.fs();
    const parts = splitSharePath(sharePath);
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    let parent = 0;
    for (let i = 0; i < parts.length - 1; i++) {
      const dir = parts[i] as string;
      const p = fs.SearchPath(parts.slice(0, i + 1).join('/'));
      if (p.id === -1) parent = fs.CreateDirectory(dir, parent);
      else if (!fs.IsDirectory(p.id)) throw new VmError(`writeFile ${sharePath}: ${dir} is not a directory`);
      else parent = p.id;
    }
    const path = parts.join('/');
    const existing = fs.SearchPath(path);
    if (existing.id !== -1) {
      if (fs.IsDirectory(existing.id)) throw new VmError(`writeFile ${sharePath}: is a directory`);
      // (SearchPath's `name` is undefined when the file exists: use our own.)
      fs.Unlink(existing.parentid, parts[parts.length - 1] as string);
    }
    await this.requireEmu().create_file(path, bytes);
  }

  async readFile(sharePath: string): Promise<Uint8Array> {
    const fs = this.fs();
    const path = splitSharePath(sharePath).join('/');
    const p = fs.SearchPath(path);
    if (p.id === -1) throw new VmError(`readFile: no such file on the share: ${sharePath}`);
    if (fs.IsDirectory(p.id)) throw new VmError(`readFile ${sharePath}: is a directory`);
    if (fs.inodes[p.id]?.size === 0) return new Uint8Array(0);
    const data = await this.requireEmu().read_file(path);
    return new Uint8Array(data);
  }

  async saveState(): Promise<ArrayBuffer> {
    return this.requireEmu().save_state();
  }

  /**
   * Replaces the guest with a saved state, of this guest's memory size unless memoryMiB names the
   * size it was saved at (a lesson state of a bigger guest).
   */
  async restoreState(state: StateBytes, memoryMiB = this.memoryMiB, keepRaw?: KeepRaw): Promise<void> {
    this.requireEmu();
    this.state = 'booting';
    try {
      // A fresh emulator each time: v86 0.5.462 restoring into a running instance leaves the
      // guest's timers dead (sleep never returns), a fresh instance restores cleanly.
      await this.teardown();
      this.memoryMiB = memoryMiB;
      const emu = await this.createEmulator(memoryMiB, {});
      const raw = await this.restoreInto(emu, state, keepRaw);
      await emu.run();
      await this.awaitAgent();
      await this.reattachShares();
      this.state = 'ready';
      if (raw) keepRaw?.(raw);
    } catch (e) {
      this.state = 'crashed';
      throw new VmError(`restoreState failed: ${(e as Error).message}`);
    }
  }

  /**
   * After a restore: a share the saved state already holds keeps its inodes (the guest may have
   * files on it open, an image's layers for one) and only gets its reader back, which the fresh
   * emulator lacks; a share it lacks (the boot snapshot is saved without any) is attached.
   */
  private async reattachShares(): Promise<void> {
    const fs = this.fs();
    for (const [name, source] of Object.entries(this.opts.shares ?? {})) {
      if (fs.SearchPath(name).id !== -1) {
        shareStorageOf(fs).add(name, source);
        continue;
      }
      const files = await attachFolder(fs, name, source);
      this.opts.log?.(`share: ${GUEST_SHARE}/${name} (${files} files, read on demand)`);
    }
  }

  /** The lesson's starting state if the build has one made from the lesson as it is now. */
  private async usableLessonState(want: { slug: string; key: string }): Promise<LessonStateAsset | null> {
    const asset = await this.opts.assets.lessonState?.(want.slug);
    return asset && asset.meta.key === want.key && asset.meta.slug === want.slug ? asset : null;
  }

  /**
   * Replaces the guest with a lesson's starting state when the build has one made from this
   * lesson as it is now (key: lessonStartKey). Returns the state's guest size, or null when there
   * is none to use (the caller runs the lesson's set-up instead).
   */
  async restoreLessonState(slug: string, key: string): Promise<{ memoryMiB: number } | null> {
    const asset = await this.usableLessonState({ slug, key });
    if (!asset) return null;
    const t0 = Date.now();
    await this.restoreState(await asset.state(), asset.meta.memoryMiB, asset.keepRaw);
    this.opts.log?.(`lesson ${slug}: restored its starting state in ${Date.now() - t0} ms`);
    return { memoryMiB: asset.meta.memoryMiB };
  }

  async http(port: number, request: HttpRequest = {}): Promise<HttpResponse> {
    if (this.state !== 'ready') throw new VmError(`http: the VM is not ready (status ${this.state})`);
    if (!this.emu?.network_adapter) throw new VmError('http: the guest has no network (the VM was created with network: false)');
    if (!this.httpClient) {
      this.opts.onNetworkUse?.(this.emu);
      this.httpClient = new HttpClient(v86Dialer(() => this.emu?.network_adapter ?? null));
    }
    return this.httpClient.request(port, request);
  }

  sendTerminal(data: string | Uint8Array): void {
    if (!this.emu) return;
    this.emu.serial_send_bytes(0, typeof data === 'string' ? new TextEncoder().encode(data) : data);
  }

  onTerminal(listener: (data: Uint8Array) => void): () => void {
    this.terminalListeners.add(listener);
    return () => this.terminalListeners.delete(listener);
  }

  async resizeTerminal(cols: number, rows: number): Promise<void> {
    if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 1 || rows < 1 || cols > 1000 || rows > 1000)
      throw new VmError(`bad terminal size ${cols}x${rows}`);
    // The kernel sends SIGWINCH to the terminal's foreground process group.
    const r = await this.exec(`stty -F /dev/ttyS0 rows ${rows} cols ${cols}`, { timeoutMs: 10_000 });
    if (r.exitCode !== 0) throw new VmError(`resizeTerminal: ${r.stderr.trim()}`);
  }

  private async teardown(): Promise<void> {
    this.httpClient?.closeIdle();
    this.httpClient = null;
    this.control?.abortAll('the VM was stopped');
    this.detach?.();
    this.detach = null;
    this.control = null;
    const emu = this.emu;
    this.emu = null;
    if (emu) await emu.destroy().catch(() => undefined);
  }

  async destroy(): Promise<void> {
    await this.teardown();
    this.state = 'stopped';
  }
}

/**
 * The initramfs travels gzip-compressed, but unpacking it in the emulated guest costs about 40%
 * of a cold boot's instructions; the host's native gunzip (DecompressionStream, in Node and in
 * browsers) takes milliseconds, and the kernel takes an uncompressed cpio archive as well.
 */
export async function gunzipIfCompressed(data: ArrayBuffer): Promise<ArrayBuffer> {
  const head = new Uint8Array(data, 0, Math.min(2, data.byteLength));
  if (head[0] !== 0x1f || head[1] !== 0x8b) return data;
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).arrayBuffer();
}

/**
 * Where a restore's time went, in ms: the state in hand and the emulator made (both from the
 * boot's start: they overlap), restore_state (decompressing and copying it in), then the guest
 * running until its control agent answers.
 */
export interface RestorePhases {
  /** The state came decompressed (a copy the loader kept, see KeepRaw), not zstd. */
  raw: boolean;
  /** That copy was read from its file while restoring (RawStateFile), not handed over as bytes. */
  inPlace: boolean;
  loadMs: number;
  emulatorMs: number;
  restoreMs: number;
  answerMs: number;
}

/** "a/b/c" from a share path; rejects "..", empty and absolute-escape paths with a clear error. */
export function splitSharePath(sharePath: string): string[] {
  const parts = sharePath.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0) throw new VmError(`bad share path: ${JSON.stringify(sharePath)}`);
  if (parts.includes('..')) throw new VmError(`share paths may not contain "..": ${sharePath}`);
  return parts;
}
