// The page's VM: starts the worker, boots (snapshot first), keeps the status bar's state, watches
// for a hung guest (an exec ping with a timeout while idle) and restores saved states on Reset.
import cmdline from '../../vm-images/cmdline.txt?raw';
import { connectVmWorker } from '../vm/worker-client.ts';
import type { BootProgress, ExecOptions, ExecResult, VmApi, VmStatus } from '../vm/types.ts';
import { parseMeminfo } from './logic.ts';

const PING_EVERY_MS = 5_000;
const PING_TIMEOUT_MS = 15_000;
/** Used when the snapshot's metadata cannot be read (then the guest boots cold anyway). */
export const DEFAULT_MEMORY_MIB = 256;

/** The snapshot was taken with some guest memory size; boot with the same to restore it. */
async function snapshotMemory(distUrl: string): Promise<number> {
  const res = await fetch(new URL('state.json', distUrl)).catch(() => null);
  const meta = res?.ok ? ((await res.json().catch(() => null)) as { memoryMiB?: unknown } | null) : null;
  return typeof meta?.memoryMiB === 'number' ? meta.memoryMiB : DEFAULT_MEMORY_MIB;
}

export class VmSession {
  status = $state<VmStatus>('stopped');
  progress = $state<BootProgress | null>(null);
  error = $state<string | null>(null);
  memory = $state<{ usedMiB: number; totalMiB: number } | null>(null);
  vm = $state.raw<VmApi | null>(null);
  private checkpoint: ArrayBuffer | null = null;
  private busy = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  async start(): Promise<void> {
    this.error = null;
    this.status = 'booting';
    try {
      const worker = new Worker(new URL('../vm/worker.ts', import.meta.url), { type: 'module', name: 'whalebone-vm' });
      const distUrl = new URL('vm/', document.baseURI).href;
      const memoryMiB = await snapshotMemory(distUrl);
      this.vm = await connectVmWorker(worker, { distUrl, cmdline: cmdline.trim(), memoryMiB });
      await this.vm.boot({ memoryMiB, onProgress: (p) => (this.progress = p) });
      this.status = 'ready';
      this.watch();
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    this.status = 'crashed';
    this.error = e instanceof Error ? e.message : String(e);
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
    if (this.vm) this.checkpoint = await this.vm.saveState();
  }

  async reset(): Promise<void> {
    if (!this.vm || !this.checkpoint) return this.restart();
    this.status = 'booting';
    this.progress = { phase: 'restoring', message: 'restoring the starting state' };
    try {
      await this.vm.restoreState(this.checkpoint);
      this.status = 'ready';
      this.error = null;
      this.vm.sendTerminal('\n');
    } catch (e) {
      this.fail(e);
    }
  }

  /** A new worker and a fresh boot: the way out when the emulator itself died. */
  async restart(): Promise<void> {
    this.stopWatch();
    const old = this.vm;
    this.vm = null;
    await old?.destroy().catch(() => undefined);
    await this.start();
  }

  private watch(): void {
    this.stopWatch();
    this.timer = setInterval(() => void this.ping(), PING_EVERY_MS);
    void this.ping();
  }

  private stopWatch(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async ping(): Promise<void> {
    // Only probe an idle guest: a long lesson command on the control channel is not a hang.
    if (!this.vm || this.status !== 'ready' || this.vm.status() !== 'ready' || document.hidden) return;
    try {
      const r = await this.vm.exec('cat /proc/meminfo', { timeoutMs: PING_TIMEOUT_MS });
      this.memory = parseMeminfo(r.stdout);
    } catch (e) {
      if (this.status === 'ready') this.fail(new Error(`the guest stopped answering (${e instanceof Error ? e.message : e})`));
    }
  }
}
