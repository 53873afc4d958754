// Restart policies (--restart no | always | on-failure[:N] | unless-stopped): whether dockerd
// starts a container again when it exits and when the daemon itself starts, and how long it
// waits first (Docker doubles the delay from 100 ms after each quick restart, up to a minute).

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
