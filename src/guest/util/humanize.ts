// Human-readable durations and sizes, phrased as the Docker CLI phrases them (go-units rules).

/** "Less than a second", "5 seconds", "About a minute", "3 hours", "2 weeks"... */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)} years`;
}

/** Go's %.<p>g: p significant digits, trailing zeros dropped, exponent as e+03. */
export function formatG(value: number, precision: number): string {
  if (value === 0) return '0';
  let s = value.toPrecision(precision);
  const m = /^(-?[\d.]+)e([+-])(\d+)$/.exec(s);
  if (m) {
    let mant = m[1]!;
    if (mant.includes('.')) mant = mant.replace(/\.?0+$/, '');
    return `${mant}e${m[2]}${m[3]!.padStart(2, '0')}`;
  }
  if (s.includes('.')) s = s.replace(/\.?0+$/, '');
  return s;
}

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function scaled(size: number, base: number, units: string[]): [number, string] {
  let i = 0;
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  return [size, units[i]!];
}

/** Decimal sizes with 3 significant digits: "141MB", "4.26MB", "1.23kB" (image ls, system df). */
export function humanSize(bytes: number): string {
  const [v, u] = scaled(bytes, 1000, DECIMAL_UNITS);
  return formatG(v, 3) + u;
}

/** Binary sizes with 4 significant digits as in pull progress bars and stats: "1.5MiB". */
export function bytesSize(bytes: number): string {
  const [v, u] = scaled(bytes, 1024, BINARY_UNITS);
  return formatG(v, 4) + u;
}

const SIZE_SUFFIX: Record<string, number> = {
  '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4,
};

/** Parses a memory size as `--memory` takes it ("16m", "1g", "512k", "1048576"), binary units. */
export function parseRamSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  const mult = m ? SIZE_SUFFIX[m[2]!.toLowerCase()] : undefined;
  if (!m || mult === undefined) throw new Error(`invalid size: '${text}'`);
  return Math.trunc(Number(m[1]) * mult);
}
