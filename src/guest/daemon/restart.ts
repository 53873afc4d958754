// Restart policies (--restart no | always | on-failure[:N] | unless-stopped): whether dockerd
// starts a container again when it exits and when the daemon itself starts, and how long it
// waits first (Docker doubles the delay from 100 ms after each quick restart, up to a minute);
// Restarts keeps the timers.

import type { ContainerRecord } from './model.ts';

export interface RestartPolicy {
  Name: string;
  MaximumRetryCount: number;
}

const NAMES = ['', 'no', 'always', 'on-failure', 'unless-stopped'];

/** Docker's error for a policy it does not accept, or null. */
export function policyError(p: RestartPolicy | undefined): string | null {
  if (!p) return null;
  if (!NAMES.includes(p.Name)) return `invalid restart policy: unknown policy '${p.Name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`;
  if (p.MaximumRetryCount < 0) return 'invalid restart policy: maximum retry count cannot be negative';
  if (p.MaximumRetryCount > 0 && p.Name !== 'on-failure') return `invalid restart policy: maximum retry count can only be used with 'on-failure'`;
  return null;
}

/** Parses the --restart flag's text ("on-failure:3"). */
export function parsePolicy(text: string): RestartPolicy {
  const [name = 'no', count] = text.split(':');
  if (count !== undefined && !/^\d+$/.test(count)) throw new Error(`invalid restart policy format: maximum retry count must be an integer`);
  return { Name: name || 'no', MaximumRetryCount: Number(count ?? 0) };
}

/** After an exit: start it again? */
export function shouldRestart(p: RestartPolicy, exitCode: number, restartCount: number, manuallyStopped: boolean): boolean {
  if (manuallyStopped) return false;
  switch (p.Name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return exitCode !== 0 && (p.MaximumRetryCount === 0 || restartCount < p.MaximumRetryCount);
    default:
      return false;
  }
}

/** At daemon start, for a container that is not running: start it? */
export function startsWithDaemon(p: RestartPolicy, manuallyStopped: boolean): boolean {
  return p.Name === 'always' || (p.Name === 'unless-stopped' && !manuallyStopped);
}

/** The wait before the next restart: 100 ms, doubled per restart in a row, at most a minute. */
export function restartDelayMs(restartsInARow: number): number {
  return Math.min(100 * 2 ** restartsInARow, 60_000);
}

export interface RestartDeps {
  setTimer(ms: number, fn: () => void): unknown;
  /** Whether the container still exists (it may be removed while it waits). */
  exists(id: string): boolean;
  persist(c: ContainerRecord): void;
  /** Starts it (start.ts); throws as docker start does. */
  start(id: string): void;
}

/** The restarts under way: a timer per waiting container, and its quick restarts in a row. */
export class Restarts {
  private timers = new Map<string, unknown>();
  private quick = new Map<string, number>();

  constructor(private d: RestartDeps) {}

  /** The daemon started and found the container stopped: always and unless-stopped start it. */
  atDaemonStart(c: ContainerRecord): void {
    if (!c.State.Running && startsWithDaemon(c.HostConfig.RestartPolicy, c.HasBeenManuallyStopped === true)) this.schedule(c, 0);
  }

  /** After an exit: the policy decides (Docker resets the backoff after 10 s of running). */
  afterExit(c: ContainerRecord): void {
    const ranMs = Date.parse(c.State.FinishedAt) - Date.parse(c.State.StartedAt);
    const inARow = ranMs >= 10_000 ? 0 : (this.quick.get(c.Id) ?? 0);
    if (!shouldRestart(c.HostConfig.RestartPolicy, c.State.ExitCode, c.RestartCount, c.HasBeenManuallyStopped === true)) {
      this.quick.delete(c.Id);
      return;
    }
    this.quick.set(c.Id, inARow + 1);
    this.schedule(c, restartDelayMs(inARow));
  }

  /** A user's start or restart: the policy applies again. */
  clearManualStop(c: ContainerRecord): void {
    if (c.HasBeenManuallyStopped) {
      c.HasBeenManuallyStopped = false;
      this.d.persist(c);
    }
  }

  private schedule(c: ContainerRecord, delayMs: number): void {
    if (this.timers.has(c.Id)) return;
    c.State = { ...c.State, Restarting: true, Status: 'restarting' };
    this.d.persist(c);
    this.timers.set(c.Id, this.d.setTimer(delayMs, () => {
      this.timers.delete(c.Id);
      if (!this.d.exists(c.Id) || c.State.Running) return;
      c.State = { ...c.State, Restarting: false, Status: 'exited' };
      if (c.HasBeenManuallyStopped) {
        this.d.persist(c);
        return;
      }
      c.RestartCount++;
      try {
        this.d.start(c.Id);
      } catch (e) {
        c.State = { ...c.State, Error: (e as Error).message };
        this.d.persist(c);
      }
    }));
  }
}
