// Container health checks as dockerd runs them: a container whose config has a Healthcheck test
// (docker run --health-*, the image's HEALTHCHECK, compose's healthcheck:) gets a monitor while
// it runs. The monitor execs the test in the container every Interval (StartInterval during the
// start period while still starting), gives each run Timeout, and keeps State.Health: starting
// until the first pass, healthy after a pass, unhealthy after Retries failures in a row (failures
// inside StartPeriod do not count while still starting). The last five results are kept. The
// clock, the timers and the exec are injected, so the rules are tested on the Syscalls fake.

import { formatGoDuration } from '../util/duration.ts';

/** The Engine API's HealthConfig; durations in nanoseconds, 0 or absent = the default. */
export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

export interface HealthcheckResult {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

/** State.Health. */
export interface Health {
  Status: HealthStatus;
  FailingStreak: number;
  Log: HealthcheckResult[];
}

export const DEFAULT_INTERVAL_NS = 30e9;
export const DEFAULT_TIMEOUT_NS = 30e9;
export const DEFAULT_START_INTERVAL_NS = 5e9;
export const DEFAULT_RETRIES = 3;
/** Results kept in State.Health.Log. */
export const MAX_LOG_ENTRIES = 5;
/** Bytes of a probe's output kept; more is cut and marked with "...". */
export const MAX_OUTPUT = 4096;
/** The daemon refuses durations below this (except 0, the default). */
const MIN_DURATION_NS = 1e6;
/** A probe whose exec never starts is given up after this long. */
const START_TIMEOUT_MS = 30_000;

/** The argv a test runs, or null when it runs nothing (none, NONE, or an unknown type). */
export function probeCommand(hc: HealthConfig | undefined, shell: readonly string[] = ['/bin/sh', '-c']): string[] | null {
  const t = hc?.Test;
  if (!t || t.length === 0) return null;
  if (t[0] === 'CMD') return t.length > 1 ? t.slice(1) : null;
  if (t[0] === 'CMD-SHELL') return t.length > 1 ? [...shell, ...t.slice(1)] : null;
  return null;
}

/** The container's health check from its create request and its image's, as dockerd merges them. */
export function mergeHealthcheck(user: HealthConfig | null | undefined, image: HealthConfig | null | undefined): HealthConfig | undefined {
  if (!user) return image ? clean(image) : undefined;
  const out: HealthConfig = { ...user };
  if (image) {
    if (!out.Test || out.Test.length === 0) out.Test = image.Test;
    if (!out.Interval) out.Interval = image.Interval;
    if (!out.Timeout) out.Timeout = image.Timeout;
    if (!out.StartPeriod) out.StartPeriod = image.StartPeriod;
    if (!out.StartInterval) out.StartInterval = image.StartInterval;
    if (!out.Retries) out.Retries = image.Retries;
  }
  return clean(out);
}

/** Zero fields left out, as the Engine API's omitempty does. */
function clean(hc: HealthConfig): HealthConfig {
  const out: HealthConfig = {};
  if (hc.Test && hc.Test.length) out.Test = [...hc.Test];
  for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) if (hc[k]) out[k] = hc[k];
  return out;
}

/** dockerd's refusal of a create request's health check, or null. */
export function healthcheckError(hc: HealthConfig | null | undefined): string | null {
  if (!hc) return null;
  if (typeof hc !== 'object' || Array.isArray(hc)) return 'Healthcheck must be an object';
  if (hc.Test !== undefined && hc.Test !== null && (!Array.isArray(hc.Test) || hc.Test.some((t) => typeof t !== 'string'))) return 'Healthcheck Test must be a list of strings';
  const min = formatGoDuration(MIN_DURATION_NS);
  for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval'] as const) {
    const v = hc[k] ?? 0;
    if (typeof v !== 'number' || !Number.isFinite(v)) return `${k} in Healthcheck must be a number of nanoseconds`;
    if (v !== 0 && v < MIN_DURATION_NS) return `${k} in Healthcheck cannot be less than ${min}`;
  }
  if ((hc.Retries ?? 0) < 0) return 'Retries in Healthcheck cannot be negative';
  return null;
}

/** The values docker ps --filter health= takes ("none": no health check). */
export const HEALTH_FILTER_VALUES = ['starting', 'healthy', 'unhealthy', 'none'];

/** The text docker ps puts in brackets after "Up 5 seconds". */
export function healthText(h: Health): string {
  return h.Status === 'starting' ? 'health: starting' : h.Status;
}

/** Output as Docker keeps it: at most 4096 bytes, "..." when cut. */
export function limitOutput(bytes: Uint8Array, decode: (b: Uint8Array) => string): string {
  if (bytes.length <= MAX_OUTPUT) return decode(bytes);
  return `${decode(bytes.subarray(0, MAX_OUTPUT))}...`;
}

/** One run of a probe in a container, as the runner reports it. */
export type ProbeEnd = { kind: 'exit'; exitCode: number; output: string } | { kind: 'error'; message: string };

export interface ProbeHandle {
  /** Kills the probe's process (timeout); its end is still reported. */
  kill(): void;
  /** What it printed so far. */
  output(): string;
}

/** Runs a probe command in a running container (dockerd: an exec through the shim). */
export interface ProbeRunner {
  start(containerId: string, cmd: string[], on: { started(): void; ended(end: ProbeEnd): void }): ProbeHandle;
}

/** What the monitor needs from the engine and the clock. */
export interface HealthTarget {
  Id: string;
  Config: { Healthcheck?: HealthConfig; Shell?: string[] };
  State: { Running: boolean; StartedAt: string; Health?: Health };
}

export interface HealthDeps {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimer(ms: number, fn: () => void): unknown;
  clearTimer(handle: unknown): void;
  runner: ProbeRunner;
  /**
   * A status change ("health_status: X" event, record saved). Other results stay in memory
   * only, as in moby: the record on disk is best effort between changes.
   */
  changed(c: HealthTarget, status: HealthStatus): void;
}

interface Monitor {
  timer: unknown;
  probe: ProbeHandle | null;
  stopped: boolean;
}

const ms = (ns: number | undefined, dflt: number): number => (ns ? ns : dflt) / 1e6;

export class HealthMonitor {
  private monitors = new Map<string, Monitor>();

  constructor(private deps: HealthDeps) {}

  /** Whether a monitor runs for the container. */
  watching(id: string): boolean {
    return this.monitors.has(id);
  }

  /** A container (re)started: health starts over at "starting" (the log is kept) and is watched. */
  started(c: HealthTarget): void {
    if (!probeCommand(c.Config.Healthcheck, c.Config.Shell)) return;
    this.close(c.Id);
    c.State.Health = { Status: 'starting', FailingStreak: 0, Log: c.State.Health?.Log ?? [] };
    this.open(c);
  }

  /** The daemon restarted and found the container running: watching resumes where it was. */
  resume(c: HealthTarget): void {
    if (!probeCommand(c.Config.Healthcheck, c.Config.Shell) || !c.State.Running || this.monitors.has(c.Id)) return;
    c.State.Health ??= { Status: 'starting', FailingStreak: 0, Log: [] };
    this.open(c);
  }

  /** The container stopped (or is removed): no more probes, and, as Docker reports it, unhealthy. */
  stopped(c: HealthTarget): void {
    this.close(c.Id);
    if (c.State.Health) c.State.Health.Status = 'unhealthy';
  }

  private close(id: string): void {
    const m = this.monitors.get(id);
    if (!m) return;
    m.stopped = true;
    if (m.timer !== null) this.deps.clearTimer(m.timer);
    // a probe still running would go on talking to a shim that is going away
    m.probe?.kill();
    m.probe = null;
    this.monitors.delete(id);
  }

  private open(c: HealthTarget): void {
    const m: Monitor = { timer: null, probe: null, stopped: false };
    this.monitors.set(c.Id, m);
    this.schedule(c, m);
  }

  /** The wait before the next probe, as Docker works it out after each one. */
  nextIntervalMs(c: HealthTarget): number {
    const hc = c.Config.Healthcheck ?? {};
    const interval = ms(hc.Interval, DEFAULT_INTERVAL_NS);
    const startPeriod = ms(hc.StartPeriod, 0);
    const elapsed = this.deps.now() - Date.parse(c.State.StartedAt);
    if (elapsed >= startPeriod) return interval;
    const remaining = startPeriod - elapsed;
    if (remaining < interval) return remaining;
    return c.State.Health?.Status === 'starting' ? ms(hc.StartInterval, DEFAULT_START_INTERVAL_NS) : interval;
  }

  private schedule(c: HealthTarget, m: Monitor): void {
    m.timer = this.deps.setTimer(this.nextIntervalMs(c), () => {
      m.timer = null;
      if (!m.stopped) this.probe(c, m);
    });
  }

  private probe(c: HealthTarget, m: Monitor): void {
    const cmd = probeCommand(c.Config.Healthcheck, c.Config.Shell)!;
    const timeoutNs = c.Config.Healthcheck?.Timeout || DEFAULT_TIMEOUT_NS;
    const start = this.deps.now();
    let finished = false;
    const finish = (exitCode: number, output: string): void => {
      if (finished) return;
      finished = true;
      if (m.timer !== null) this.deps.clearTimer(m.timer);
      m.timer = null;
      m.probe = null;
      if (m.stopped) return;
      this.record(c, { Start: iso(start), End: iso(this.deps.now()), ExitCode: exitCode, Output: output });
      this.schedule(c, m);
    };
    // the exec's own start is not the probe's time: the timeout counts from when it runs
    m.timer = this.deps.setTimer(START_TIMEOUT_MS, () => {
      m.timer = null;
      m.probe?.kill();
      finish(-1, `timed out starting health check for container ${c.Id}`);
    });
    try {
      const handle = this.deps.runner.start(c.Id, cmd, {
        started: () => {
          if (finished) return;
          if (m.timer !== null) this.deps.clearTimer(m.timer);
          m.timer = this.deps.setTimer(timeoutNs / 1e6, () => {
            m.timer = null;
            const out = m.probe?.output() ?? '';
            // recorded at once: a killed probe's children may hold its output open for long
            m.probe?.kill();
            const base = `Health check exceeded timeout (${formatGoDuration(timeoutNs)})`;
            finish(-1, out ? `${base}: ${out}` : base);
          });
        },
        ended: (end) => {
          if (end.kind === 'exit') finish(end.exitCode, end.output);
          else finish(-1, end.message);
        },
      });
      if (!finished) m.probe = handle;
    } catch (e) {
      finish(-1, (e as Error).message);
    }
  }

  private record(c: HealthTarget, r: HealthcheckResult): void {
    const h = (c.State.Health ??= { Status: 'starting', FailingStreak: 0, Log: [] });
    const old = h.Status;
    h.Log = [...h.Log, r].slice(-MAX_LOG_ENTRIES);
    if (r.ExitCode === 0) {
      h.FailingStreak = 0;
      h.Status = 'healthy';
    } else {
      const hc = c.Config.Healthcheck ?? {};
      const retries = hc.Retries && hc.Retries > 0 ? hc.Retries : DEFAULT_RETRIES;
      const inStartPeriod = h.Status === 'starting' && Date.parse(r.Start) - Date.parse(c.State.StartedAt) < ms(hc.StartPeriod, 0);
      if (!inStartPeriod) {
        h.FailingStreak++;
        if (h.FailingStreak >= retries) h.Status = 'unhealthy';
      }
    }
    if (h.Status !== old) this.deps.changed(c, h.Status);
  }
}

function iso(msSinceEpoch: number): string {
  return new Date(msSinceEpoch).toISOString();
}
