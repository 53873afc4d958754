// Go's time.Duration as the Docker CLI reads flags (pflag's duration, time.ParseDuration) and as
// the daemon prints them in messages (Duration.String()). Values are nanoseconds, the unit the
// Engine API uses for Healthcheck durations.

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

export class DurationError extends Error {
  override name = 'DurationError';
}

const quote = (s: string): string => JSON.stringify(s);

/** Nanoseconds of "1m30s", "500ms", "-2.5s", "0"; errors worded as Go's time package words them. */
export function parseGoDuration(text: string): number {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new DurationError(`time: invalid duration ${quote(text)}`);
  let total = 0;
  while (s !== '') {
    const num = /^(\d*)(\.(\d*))?/.exec(s)!;
    const whole = num[1]!;
    const frac = num[3] ?? '';
    // a number needs digits on one side of the point at least
    if (whole === '' && frac === '') throw new DurationError(`time: invalid duration ${quote(text)}`);
    s = s.slice(num[0].length);
    const unit = /^[^\d.]*/.exec(s)![0];
    if (unit === '') throw new DurationError(`time: missing unit in duration ${quote(text)}`);
    const mult = UNIT_NS[unit];
    if (mult === undefined) throw new DurationError(`time: unknown unit ${quote(unit)} in duration ${quote(text)}`);
    s = s.slice(unit.length);
    total += Number(whole || '0') * mult + (frac ? Math.round(Number(`0.${frac}`) * mult) : 0);
  }
  return sign * total;
}

function fraction(v: number, digits: number): string {
  const scale = 10 ** digits;
  const int = Math.floor(v / scale);
  const rest = String(v % scale).padStart(digits, '0').replace(/0+$/, '');
  return rest ? `${int}.${rest}` : String(int);
}

/** Go's Duration.String(): "1s", "1m30s", "500ms", "1h0m0s". */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  const u = Math.round(Math.abs(ns));
  let out: string;
  if (u < 1e3) out = `${u}ns`;
  else if (u < 1e6) out = `${fraction(u, 3)}µs`;
  else if (u < 1e9) out = `${fraction(u, 6)}ms`;
  else {
    const h = Math.floor(u / 3600e9);
    const m = Math.floor((u % 3600e9) / 60e9);
    const sec = `${fraction(u % 60e9, 9)}s`;
    out = h > 0 ? `${h}h${m}m${sec}` : m > 0 ? `${m}m${sec}` : sec;
  }
  return neg ? `-${out}` : out;
}
