// The page's VM: starts the worker, boots (snapshot first), keeps the status bar's state, watches
// for a hung guest (an exec ping with a timeout while idle) and restores saved states on Reset.
import cmdline from '../../vm-images/cmdline.txt?raw';
import { V86_MODES } from '../vm/browser-assets.ts';
import type { SnapshotMeta } from '../vm/assets.ts';
import { connectVmWorker, type WorkerVmApi } from '../vm/worker-client.ts';
import type { BootProgress, ExecOptions, ExecResult, VmApi, VmStatus } from '../vm/types.ts';
import { parseMeminfo } from './logic.ts';

const PING_EVERY_MS = 5_000;
const MEMINFO = 'while read -r k v u; do case $k in MemTotal:|MemAvailable:) echo "$k $v kB";; esac; done </proc/meminfo';
const PING_TIMEOUT_MS = 15_000;

/** Marks on the page's performance timeline (read by bench:app and the tests). */
export function mark(name: 'vm-ready' | 'prompt' | 'lesson-ready' | 'vm-failed'): void {
  performance.mark(`whalebone:${name}`);
}

export class VmSession {
  /** The boot snapshot's metadata as the app was built with it (BrowserVmConfig.snapshotMeta). */
  private readonly snapshotMeta: SnapshotMeta | null;

  constructor(snapshotMeta: SnapshotMeta | null = null) {
    this.snapshotMeta = snapshotMeta;
  }

  status = $state<VmStatus>('stopped');
  progress = $state<BootProgress | null>(null);
  error = $state<string | null>(null);
  /** The download that failed ("the boot snapshot"), when that is why the VM is down. */
  failedAsset = $state<string | null>(null);
  /** Settles when the current start() attempt does (it never rejects: see status and error). */
  started: Promise<void> = Promise.resolve();
  /**
   * Settles once the guest's console answers (the learner can type: the control channel and the
   * shares come a little later, before `started`), or when the attempt fails.
   */
  consoleUp: Promise<void> = Promise.resolve();
  private onConsoleUp: (() => void) | null = null;

  /** A new consoleUp for the next boot, unless the current one is still pending. */
  private armConsoleUp(): void {
    if (this.onConsoleUp) return;
    this.consoleUp = new Promise((resolve) => {
      this.onConsoleUp = () => {
        this.onConsoleUp = null;
        resolve();
      };
    });
  }
  memory = $state<{ usedMiB: number; totalMiB: number } | null>(null);
  /**
   * The guest memory asked for (a lesson's environment.memory), null for the boot snapshot's
   * size. A size without a snapshot of its own boots cold.
   */
  memoryMiB: number | null = null;
  vm = $state.raw<WorkerVmApi | null>(null);
  /**
   * What Reset goes back to: 'boot-snapshot' when the guest booted from the boot snapshot (Reset
   * restores it again, read from the cache, and the lesson's set-up runs again), else a state
   * saved when the lesson was ready. Saving one costs the tab its size (tens of MB) for as long
   * as it lives, and v86's save reads every page of guest RAM, which on some hosts commits all of
   * it (measured: 275 of 284 MiB resident after the save against about 110 without).
   */
  private checkpoint: ArrayBuffer | 'boot-snapshot' | { lesson: string; key: string } | null = null;
  /**
   * The key of the lesson state Reset has just restored: the lesson's preparation takes it
   * (takeFreshLessonState) instead of restoring the same state a second time.
   */
  private freshLessonState: string | null = null;
  /**
   * The guest is up and takes requests. "busy" only means a background request (the file tree's
   * poll, the Ports panel) is in flight: anything the learner starts must not wait for "ready".
   */
  get running(): boolean {
    return this.status === 'ready' || this.status === 'busy';
  }
  /** Whether a saved starting state exists to restore a crashed or hung guest from. */
  canRestore = $state(false);
  private busy = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  /**
   * Starts the worker and boots (the guest memory size comes from the boot snapshot), once
   * `after` settles. `started` is set at once, so the UI can await it before the boot begins.
   */
  start(after: Promise<unknown> = Promise.resolve(), memoryMiB: number | null = this.memoryMiB, lessonState: { slug: string; key: string } | null = null): Promise<void> {
    this.memoryMiB = memoryMiB;
    this.bootLessonState = lessonState;
    this.status = 'booting';
    this.armConsoleUp();
    this.started = after.then(
      () => this.boot(),
      () => this.boot(),
    );
    return this.started;
  }

  /** The lesson state the next boot asks for instead of the boot snapshot (a lesson link). */
  private bootLessonState: { slug: string; key: string } | null = null;

  private async boot(): Promise<void> {
    this.error = null;
    this.failedAsset = null;
    this.status = 'booting';
    this.progress = { phase: 'loading', message: 'starting the emulator' };
    try {
      const worker = new Worker(new URL('../vm/worker.ts', import.meta.url), { type: 'module', name: 'whalebone-vm' });
      const distUrl = new URL('vm/', document.baseURI).href;
      // ?v86=stock runs v86 exactly as shipped (bench:app's baseline); own-loop and tuned: see V86Mode
      const query = new URLSearchParams(location.search);
      const asked = query.get('v86');
      const v86Mode = V86_MODES.find((m) => m === asked) ?? 'default';
      // ?jit-pages=3: v86's own JIT region limit instead of ours (bench:tab's baseline)
      const jitPages = Number(query.get('jit-pages'));
      // ?warm-up=0: no JIT warm-up after a restore (to compare)
      const warmUp = query.get('warm-up') !== '0';
      const lessonState = this.bootLessonState;
      this.bootLessonState = null;
      this.vm = await connectVmWorker(worker, {
        distUrl,
        cmdline: cmdline.trim(),
        v86Mode,
        ...(warmUp ? {} : { warmUp: false }),
        ...(Number.isInteger(jitPages) && jitPages > 0 ? { jitMaxPages: jitPages } : {}),
        ...(this.memoryMiB ? { memoryMiB: this.memoryMiB } : {}),
        ...(lessonState ? { lessonState } : {}),
        ...(this.snapshotMeta ? { snapshotMeta: this.snapshotMeta } : {}),
      });
      await this.vm.boot({
        ...(this.memoryMiB ? { memoryMiB: this.memoryMiB } : {}),
        ...(lessonState ? { lessonState } : {}),
        onProgress: (p) => {
          this.progress = p;
          if (p.phase === 'running') this.onConsoleUp?.();
        },
      });
      // Booted into the lesson's starting state: that is what Reset goes back to, and the
      // lesson's preparation only adds the learner's files.
      const landed = lessonState ? await this.vm.bootedLessonState() : null;
      if (landed) {
        this.memoryMiB = landed.memoryMiB;
        this.checkpoint = { lesson: landed.slug, key: landed.key };
        this.freshLessonState = landed.key;
        this.canRestore = true;
      }
      this.status = 'ready';
      mark('vm-ready');
      this.watch();
    } catch (e) {
      mark('vm-failed');
      this.fail(e);
    } finally {
      this.onConsoleUp?.();
    }
  }

  private fail(e: unknown): void {
    this.status = 'crashed';
    const err = e instanceof Error ? e : new Error(String(e));
    this.error = err.message;
    this.failedAsset = err.name === 'AssetError' ? (/^Downloading (.+?) \(/.exec(err.message)?.[1] ?? 'a file') : null;
  }

  /** exec that counts toward the "busy" state. */
  async exec(command: string, opts?: ExecOptions): Promise<ExecResult> {
    if (!this.vm) throw new Error('the VM is not running');
    this.busy++;
    if (this.status === 'ready') this.status = 'busy';
    try {
      return await this.vm.exec(command, opts);
    } finally {
      if (--this.busy === 0 && this.status === 'busy') this.status = 'ready';
    }
  }

  /** Remembers the current guest as the state Reset goes back to. */
  async saveCheckpoint(): Promise<void> {
    if (!this.vm) return;
    this.checkpoint = (await this.vm.bootedFromSnapshot()) ? 'boot-snapshot' : await this.vm.saveState();
    this.canRestore = true;
  }

  /**
   * Replaces the guest with the lesson's starting state when the build has one for the lesson as
   * it is (key: lessonStartKey); false, with the guest untouched, when it has none. The state is
   * also what Reset goes back to. Throws (the guest is gone then) when the restore fails.
   */
  async restoreLessonState(slug: string, key: string): Promise<boolean> {
    if (!this.vm) return false;
    const before = this.status;
    // No watchdog pings into a guest that is being replaced.
    this.stopWatch();
    this.status = 'booting';
    this.progress = { phase: 'restoring', message: "restoring the lesson's starting state" };
    try {
      const r = await this.vm.restoreLessonState(slug, key);
      if (r) {
        this.memoryMiB = r.memoryMiB;
        this.checkpoint = { lesson: slug, key };
        this.canRestore = true;
        this.error = null;
      }
      this.status = r ? 'ready' : before;
      this.watch();
      return r !== null;
    } catch (e) {
      this.fail(e);
      throw e;
    }
  }

  /** True once if Reset has just restored this lesson state (see freshLessonState). */
  takeFreshLessonState(key: string): boolean {
    const fresh = this.freshLessonState === key;
    this.freshLessonState = null;
    return fresh;
  }

  /**
   * Back to the starting state. Resolves true when the lesson's preparation must run again: the
   * guest is back at the boot snapshot (or rebooted), or at the lesson's starting state (whose
   * preparation only copies the learner's saved files); false when a saved state holds it all.
   */
  async reset(): Promise<boolean> {
    if (!this.vm || !this.checkpoint) {
      await this.restart();
      return true;
    }
    const checkpoint = this.checkpoint;
    this.stopWatch();
    this.status = 'booting';
    this.progress = { phase: 'restoring', message: 'restoring the starting state' };
    try {
      if (checkpoint === 'boot-snapshot') await this.vm.restoreBootSnapshot();
      else if (checkpoint instanceof ArrayBuffer) await this.vm.restoreState(checkpoint);
      else {
        if (!(await this.vm.restoreLessonState(checkpoint.lesson, checkpoint.key))) throw new Error(`the starting state of ${checkpoint.lesson} is gone`);
        // The lesson's preparation runs again (the learner's saved files), on this state.
        this.freshLessonState = checkpoint.key;
      }
      this.status = 'ready';
      this.error = null;
      this.vm.sendTerminal('\n');
      this.watch();
      return !(checkpoint instanceof ArrayBuffer);
    } catch (e) {
      this.fail(e);
      return false;
    }
  }

  /**
   * A new worker and a fresh boot: the way out when the emulator itself died, and the way to a
   * guest of another memory size (memoryMiB; by default the current one), or into a lesson state.
   */
  async restart(memoryMiB: number | null = this.memoryMiB, lessonState: { slug: string; key: string } | null = null): Promise<void> {
    this.armConsoleUp(); // at once: the caller may wait for it while the old worker goes
    this.stopWatch();
    const old = this.vm;
    this.vm = null;
    this.checkpoint = null;
    this.freshLessonState = null;
    this.canRestore = false;
    await old?.destroy().catch(() => undefined);
    await this.start(Promise.resolve(), memoryMiB, lessonState);
  }

  private watch(): void {
    this.stopWatch();
    this.missedPings = 0;
    this.timer = setInterval(() => void this.ping(), PING_EVERY_MS);
    void this.ping();
  }

  private stopWatch(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private pinging = false;
  private missedPings = 0;

  /**
   * The watchdog: a probe on the control channel. The agent answers each request on its own, so
   * a long lesson command does not delay it; only two missed answers in a row (a slow, loaded
   * guest can miss one) mean the guest stopped answering.
   */
  private async ping(): Promise<void> {
    if (!this.vm || this.pinging || !this.running || document.hidden) return;
    this.pinging = true;
    try {
      // Shell built-ins only: the probe starts no program in the guest.
      const r = await this.vm.exec(MEMINFO, { timeoutMs: PING_TIMEOUT_MS });
      this.memory = parseMeminfo(r.stdout);
      this.missedPings = 0;
    } catch (e) {
      if (++this.missedPings >= 2 && this.running)
        this.fail(new Error(`the guest stopped answering (${e instanceof Error ? e.message : e})`));
    } finally {
      this.pinging = false;
    }
  }

}
