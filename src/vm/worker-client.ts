// Page side of the VM worker: connectVmWorker() returns a VmApi backed by src/vm/worker.ts.
// Usage (the app):
//   const worker = new Worker(new URL('../vm/worker.ts', import.meta.url), { type: 'module' });
//   const vm = await connectVmWorker(worker, { distUrl: '/vm/', cmdline });
//   vm.onTerminal((bytes) => term.write(bytes)); term.onData((s) => vm.sendTerminal(s));
//   await vm.boot({ onProgress: (p) => ... });
// After a snapshot restore the guest shell already printed its prompt: send "\n" to get a new one.
import * as Comlink from 'comlink';
import type { BrowserVmConfig } from './browser-assets.ts';
import type { BootOptions, ExecOptions, ExecResult, VmApi, VmStatus } from './types.ts';
import type { TerminalMessage, WorkerVm } from './worker.ts';

/** The browser's VM: a VmApi that can also go back to the boot snapshot without a saved copy. */
export interface WorkerVmApi extends VmApi {
  /** Whether the guest booted from the boot snapshot (not cold: a size without a snapshot). */
  bootedFromSnapshot(): Promise<boolean>;
  /** Restores the boot snapshot, read again from the cache (the lesson's set-up must run again). */
  restoreBootSnapshot(): Promise<void>;
  /**
   * Replaces the guest with a lesson's starting state when the build has one made from the
   * lesson as it is (key: lessonStartKey); null, with the guest untouched, when it has none.
   */
  restoreLessonState(slug: string, key: string): Promise<{ memoryMiB: number } | null>;
  /** The lesson state the boot restored (BootOptions.lessonState), or null when it restored the boot snapshot or booted cold. */
  bootedLessonState(): Promise<{ slug: string; key: string; memoryMiB: number } | null>;
}

export async function connectVmWorker(worker: Worker, config: BrowserVmConfig): Promise<WorkerVmApi> {
  const remote = Comlink.wrap<WorkerVm>(worker);
  // Sent without waiting for answers: the worker handles messages in order, so boot() need not
  // wait for two round trips through a page and a worker that are both busy starting up.
  const channel = new MessageChannel();
  const connected = Promise.all([remote.init(config), remote.attachTerminal(Comlink.transfer(channel.port2, [channel.port2]))]);
  connected.catch(() => undefined); // boot() reports it
  const listeners = new Set<(data: Uint8Array) => void>();
  channel.port1.onmessage = (e: MessageEvent<TerminalMessage>) => {
    for (const l of listeners) l(e.data.bytes);
  };
  // status() is synchronous in VmApi: track it here from the calls that change it.
  let state: VmStatus = 'stopped';
  let running = 0;
  const enc = new TextEncoder();

  return {
    async boot(opts: BootOptions = {}) {
      const { onProgress, ...rest } = opts;
      state = 'booting';
      try {
        const booted = remote.boot(rest, onProgress ? Comlink.proxy(onProgress) : undefined);
        booted.catch(() => undefined); // a failed init explains it better: that is thrown first
        await connected;
        await booted;
        state = 'ready';
      } catch (e) {
        state = 'crashed';
        throw e;
      }
    },
    status: () => (state === 'ready' && running > 0 ? 'busy' : state),
    async exec(command: string, opts?: ExecOptions): Promise<ExecResult> {
      running++;
      try {
        return await remote.exec(command, opts);
      } finally {
        running--;
      }
    },
    inspect: (req) => remote.inspect(req),
    chainTrace: (op) => remote.chainTrace(op),
    writeFile: (path, data) => remote.writeFile(path, data),
    readFile: (path) => remote.readFile(path),
    saveState: () => remote.saveState(),
    bootedFromSnapshot: () => remote.bootedFromSnapshot(),
    bootedLessonState: () => remote.bootedLessonState(),
    async restoreBootSnapshot() {
      state = 'booting';
      try {
        await remote.restoreBootSnapshot();
        state = 'ready';
      } catch (e) {
        state = 'crashed';
        throw e;
      }
    },
    async restoreLessonState(slug: string, key: string) {
      const before = state;
      state = 'booting';
      try {
        const r = await remote.restoreLessonState(slug, key);
        state = r ? 'ready' : before;
        return r;
      } catch (e) {
        // Only a failed restore leaves no guest; a failed metadata download leaves it as it was.
        state = (await remote.status().catch(() => 'crashed' as const)) === 'crashed' ? 'crashed' : before;
        throw e;
      }
    },
    async restoreState(s: ArrayBuffer) {
      state = 'booting';
      try {
        await remote.restoreState(s); // copied, not transferred: callers restore the same state again
        state = 'ready';
      } catch (e) {
        state = 'crashed';
        throw e;
      }
    },
    sendTerminal(data) {
      const bytes = typeof data === 'string' ? enc.encode(data) : data;
      channel.port1.postMessage(bytes);
    },
    onTerminal(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    resizeTerminal: (cols, rows) => remote.resizeTerminal(cols, rows),
    http: (port, request) => remote.http(port, request),
    async destroy() {
      await remote.destroy();
      state = 'stopped';
      channel.port1.close();
      remote[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}
