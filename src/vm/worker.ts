// Web Worker entry: runs the VM driver core headless (v86 needs no DOM here) and exposes it to
// the page with comlink. Use it through connectVmWorker() (worker-client.ts), which gives the
// page an ordinary VmApi.
//
// Terminal stream: comlink calls are too slow for a byte stream, so the page hands the worker a
// MessagePort (attachTerminal). Worker -> page: { type: 'data', bytes: Uint8Array } with the
// buffer transferred, output batched for up to 8 ms or 16 KiB. Page -> worker: Uint8Array
// keystrokes, posted as they come.
import * as Comlink from 'comlink';
import { V86 } from 'v86';
import v86WasmUrl from 'v86/build/v86.wasm?url';
import { DIST_FILES } from './assets.ts';
import { urlAssets, joinUrl, type BrowserVmConfig } from './browser-assets.ts';
import { VmCore } from './core.ts';
import { VmError } from './errors.ts';
import { urlFolder } from './share.ts';
import type { BootOptions, ExecOptions, ExecResult, VmStatus } from './types.ts';
import type { V86Constructor } from './v86-types.ts';

export type TerminalMessage = { type: 'data'; bytes: Uint8Array };

const FLUSH_MS = 8;
const FLUSH_BYTES = 16 * 1024;

export class WorkerVm {
  private vm: VmCore | null = null;
  private port: MessagePort | null = null;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  init(config: BrowserVmConfig): void {
    if (this.vm) throw new VmError('init: the worker already has a VM');
    const wasmUrl = config.wasmUrl ?? v86WasmUrl;
    this.vm = new VmCore({
      V86: V86 as unknown as V86Constructor,
      assets: urlAssets({ ...config, wasmUrl }),
      memoryMiB: config.memoryMiB,
      network: config.network,
      shares:
        config.registry === false
          ? {}
          : { registry: urlFolder(joinUrl(config.distUrl, DIST_FILES.registry), joinUrl(config.distUrl, DIST_FILES.registryIndex)) },
      log: (m) => console.info(`[vm] ${m}`),
    });
    this.vm.onTerminal((bytes) => this.queue(bytes));
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

  /** Boot options without the callback; progress comes through onProgress (a comlink proxy). */
  boot(opts: Omit<BootOptions, 'onProgress'>, onProgress?: BootOptions['onProgress']): Promise<void> {
    return this.core().boot({ ...opts, onProgress });
  }
  status(): VmStatus {
    return this.vm?.status() ?? 'stopped';
  }
  exec(command: string, opts?: ExecOptions): Promise<ExecResult> {
    return this.core().exec(command, opts);
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
  resizeTerminal(cols: number, rows: number): Promise<void> {
    return this.core().resizeTerminal(cols, rows);
  }
  async destroy(): Promise<void> {
    await this.vm?.destroy();
  }
}

Comlink.expose(new WorkerVm());
