// The engine chain view's feed: while at least one chain view is on screen, the guest traces new
// docker commands (the agent's switch, src/guest/agent/chain.ts) and the page fetches the new
// trace lines once a second; when the last view goes, tracing is turned off in the guest, so a
// closed view costs nothing. One feed per page: the agent keeps one read position, so two
// readers would split the lines between them.
import type { VmApi } from '../../vm/types.ts';
import { ChainLog, type ChainRun } from './chain.ts';

export const CHAIN_POLL_MS = 1000;
const RETRY_MS = 3000;

export class ChainFeed {
  runs = $state.raw<ChainRun[]>([]);
  error = $state<string | null>(null);
  /** Tracing is on in the guest. */
  on = $state(false);
  private readonly log = new ChainLog();
  private users = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight = false;

  constructor(private vm: () => VmApi | null) {}

  /** A view appeared; returns its release. */
  acquire(vm: () => VmApi | null): () => void {
    this.vm = vm;
    this.users++;
    if (this.users === 1) {
      document.addEventListener('visibilitychange', this.onVisibility);
      void this.poll();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.users--;
      if (this.users === 0) this.stop();
    };
  }

  clear(): void {
    this.log.clear();
    this.runs = [];
  }

  private stop(): void {
    document.removeEventListener('visibilitychange', this.onVisibility);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const vm = this.vm();
    if (this.on && vm && (vm.status() === 'ready' || vm.status() === 'busy')) void vm.chainTrace('off').catch(() => undefined);
    this.on = false;
  }

  private onVisibility = (): void => {
    if (!document.hidden && this.users > 0 && !this.timer && !this.inFlight) void this.poll();
  };

  private async poll(): Promise<void> {
    this.timer = null;
    if (this.users === 0 || document.hidden) return;
    const vm = this.vm();
    let failed = false;
    if (vm && (vm.status() === 'ready' || vm.status() === 'busy')) {
      this.inFlight = true;
      try {
        // a restored or rebooted guest has no switch: turn it on (again)
        const a = await vm.chainTrace(this.on ? 'read' : 'on');
        if (!a.on) {
          this.on = false;
          await vm.chainTrace('on');
        }
        this.on = true;
        if (a.text) {
          this.log.add(a.text);
          this.runs = this.log.runs();
        }
        this.error = null;
      } catch (e) {
        this.error = e instanceof Error ? e.message : String(e);
        failed = true;
      } finally {
        this.inFlight = false;
      }
    }
    if (this.users === 0) {
      // the last view went while the request was out
      if (this.on) this.stop();
      return;
    }
    if (document.hidden) return;
    this.timer = setTimeout(() => void this.poll(), failed ? RETRY_MS : CHAIN_POLL_MS);
  }
}

let shared: ChainFeed | null = null;

/** The page's one chain feed. */
export function chainFeed(): ChainFeed {
  shared ??= new ChainFeed(() => null);
  return shared;
}
