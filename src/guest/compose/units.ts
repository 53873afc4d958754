// Durations and byte sizes as Compose reads and prints them: "1m30s" in, Go's Duration text out
// ("90s" prints as "1m30s"); "64m" in, bytes out as a decimal string.

import { ComposeError } from './errors.ts';

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go duration ("1m30s", "500ms", "2.5s"); a bare 0 is fine. */
export function parseDuration(text: string, where: string): number {
  const s = text.trim();
  if (s === '0') return 0;
  let total = 0;
  let rest = s;
  const re = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/;
  if (!rest) throw new ComposeError(`${where}: invalid duration ""`);
  while (rest) {
    const m = re.exec(rest);
    if (!m) throw new ComposeError(`${where}: time: invalid duration "${s}"`);
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return total;
}

function trimFloat(n: number): string {
  return String(Number(n.toFixed(9)));
}

/** Go's time.Duration.String() for a number of milliseconds. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1) return ms >= 1e-3 ? `${trimFloat(ms * 1000)}µs` : `${trimFloat(ms * 1e6)}ns`;
  if (ms < 1000) return `${trimFloat(ms)}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sec = (ms % 60_000) / 1000;
  if (h > 0) return `${h}h${m}m${trimFloat(sec)}s`;
  if (m > 0) return `${m}m${trimFloat(sec)}s`;
  return `${trimFloat(sec)}s`;
}

const SIZE: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4 };

/** Bytes of "64m", "1g", "512k", "1024" (RAM sizes are binary, as go-units reads them). */
export function parseBytes(v: string | number, where: string): number {
  if (typeof v === 'number') return Math.trunc(v);
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(v.trim());
  const mult = m ? SIZE[m[2]!.toLowerCase()] : undefined;
  if (!m || mult === undefined) throw new ComposeError(`${where}: invalid size: '${v}'`);
  return Math.trunc(Number(m[1]) * mult);
}
