// The inspector's refresh loop: one snapshot request at a time, at most one a second, only while
// the panel is mounted and the page visible (a hidden inspector costs the guest nothing).
import type { InspectRequest, InspectSnapshot } from '../../vm/inspect.ts';
import type { VmApi } from '../../vm/types.ts';
import { CgroupHistory } from './model.ts';

export const REFRESH_MS = 1000;
/** After a failed refresh (a guest too busy to answer in time): wait before asking again. */
const RETRY_MS = 5000;

export class InspectorFeed {
  snapshot = $state.raw<InspectSnapshot | null>(null);
  error = $state<string | null>(null);
  /** Bumped with each snapshot so views that read the history redraw. */
  tick = $state(0);
  /** Page-side round trip of the last refresh, ms. */
  roundTripMs = $state(0);
  readonly history = new CgroupHistory();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private first = true;
  /** What the open view needs (parts the guest collects); the process walk is skipped when no view draws it. */
  private request: InspectRequest = { parts: ['procs'] };

  constructor(private readonly vm: () => VmApi | null) {}

  /** Changes what a refresh collects and refreshes now, so a newly opened view fills without waiting a period. */
  setRequest(req: InspectRequest): void {
    const same = req.parts.join() === this.request.parts.join() && (req.layersFocus ?? null) === (this.request.layersFocus ?? null);
    this.request = req;
    if (same || !this.running || this.inFlight || document.hidden) return;
    if (this.timer) clearTimeout(this.timer);
    void this.refresh();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    document.addEventListener('visibilitychange', this.onVisibility);
    void this.refresh();
  }

  stop(): void {
    this.running = false;
    document.removeEventListener('visibilitychange', this.onVisibility);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private onVisibility = (): void => {
    if (!document.hidden && this.running && !this.timer && !this.inFlight) void this.refresh();
  };

  private inFlight = false;

  private async refresh(): Promise<void> {
    this.timer = null;
    if (!this.running || document.hidden) return;
    const vm = this.vm();
    const t0 = performance.now();
    let failed = false;
    if (vm && (vm.status() === 'ready' || vm.status() === 'busy')) {
      this.inFlight = true;
      try {
        const s = await vm.inspect(this.request);
        if (this.first) this.history.prime(s);
        this.first = false;
        // CPU rates need consecutive cgroup samples: only snapshots that carry them count
        if (s.parts.includes('cgroups')) this.history.update(s);
        this.snapshot = s;
        this.error = null;
        this.tick++;
        this.roundTripMs = Math.round(performance.now() - t0);
      } catch (e) {
        this.error = e instanceof Error ? e.message : String(e);
        failed = true;
      } finally {
        this.inFlight = false;
      }
    }
    if (!this.running || document.hidden) return;
    // a slow guest stretches the period rather than queueing requests
    this.timer = setTimeout(() => void this.refresh(), failed ? RETRY_MS : Math.max(0, REFRESH_MS - (performance.now() - t0)));
  }
}
