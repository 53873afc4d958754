// Parsers for the /proc and cgroup v2 text the inspector reads: small, allocation-light
// functions, since they run in QuickJS on the emulated CPU once a second while a learner
// watches. Each takes the file's text and returns only what the inspector shows.

/** The namespace kinds of /proc/PID/ns, in the order a snapshot lists their inode numbers. */
export const NS_KINDS = ['pid', 'mnt', 'net', 'uts', 'ipc', 'user', 'cgroup'] as const;
export type NsKind = (typeof NS_KINDS)[number];

export interface StatFields {
  comm: string;
  state: string;
  ppid: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /** Start time after boot, in clock ticks (with the pid, it names a process for good). */
  start: number;
}

/** /proc/PID/stat; the command name sits in parentheses and may hold spaces and parentheses. */
export function parseStat(text: string): StatFields | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = text.slice(close + 2).split(' ');
  const ppid = Number(rest[1]);
  if (!Number.isInteger(ppid)) return null;
  return { comm: text.slice(open + 1, close), state: rest[0] ?? '?', ppid, cpuTicks: Number(rest[11]) + Number(rest[12]) || 0, start: Number(rest[19]) || 0 };
}

/** /proc/PID/cmdline: NUL-separated arguments, joined by spaces and cut to `max` characters. */
export function parseCmdline(text: string, max = 160): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end--;
  const s = text.slice(0, end).split('\0').join(' ');
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** The inode in a /proc/PID/ns link target ("pid:[4026531836]"), or 0 when it is not one. */
export function parseNsLink(target: string): number {
  const open = target.indexOf('[');
  if (open < 0 || !target.endsWith(']')) return 0;
  const n = Number(target.slice(open + 1, -1));
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/** The cgroup v2 path in /proc/PID/cgroup ("0::/docker/abc"), or null without a unified entry. */
export function parseProcCgroup(text: string): string | null {
  for (const line of text.split('\n')) if (line.startsWith('0::')) return line.slice(3).trim() || '/';
  return null;
}

/** A single-number interface file: a count, or null for "max" (no limit) and for garbage. */
export function parseLimit(text: string): number | null {
  const t = text.trim();
  if (t === '' || t === 'max') return null;
  const n = Number(t);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** A flat keyed file (cpu.stat, memory.events, memory.stat): "key value" lines. */
export function parseKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const n = Number(line.slice(sp + 1));
    if (Number.isFinite(n)) out[line.slice(0, sp)] = n;
  }
  return out;
}

/** One overlay mount of /proc/mounts: where it is and its layers (lowest layer last, as the kernel lists them). */
export interface OverlayMount {
  target: string;
  lower: string[];
  upper: string | null;
}

/** The overlay mounts in /proc/mounts (or /proc/PID/mounts); octal escapes in paths are decoded. */
export function parseOverlayMounts(text: string): OverlayMount[] {
  const out: OverlayMount[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f[2] !== 'overlay' || f.length < 4) continue;
    let lower: string[] = [];
    let upper: string | null = null;
    for (const opt of (f[3] ?? '').split(',')) {
      if (opt.startsWith('lowerdir=')) lower = opt.slice(9).split(':').map(unescapeMount);
      else if (opt.startsWith('upperdir=')) upper = unescapeMount(opt.slice(9));
    }
    out.push({ target: unescapeMount(f[1] ?? ''), lower, upper });
  }
  return out;
}

function unescapeMount(s: string): string {
  return s.indexOf('\\') < 0 ? s : s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** One overlay mount of /proc/PID/mountinfo, with its work dir (which /proc/mounts also has, less reliably split). */
export interface OverlayMountInfo {
  target: string;
  /** Lower dirs as the kernel lists them: the top layer first. */
  lower: string[];
  upper: string | null;
  work: string | null;
}

/**
 * The overlay mounts in /proc/PID/mountinfo ("36 25 0:32 / /merged rw shared:5 - overlay overlay
 * rw,lowerdir=/l2:/l1,upperdir=/u,workdir=/w"); the optional fields before " - " vary in number.
 */
export function parseOverlayMountinfo(text: string): OverlayMountInfo[] {
  const out: OverlayMountInfo[] = [];
  for (const line of text.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash < 0) continue;
    const tail = line.slice(dash + 3).split(' ');
    if (tail[0] !== 'overlay') continue;
    const head = line.slice(0, dash).split(' ');
    const m: OverlayMountInfo = { target: unescapeMount(head[4] ?? ''), lower: [], upper: null, work: null };
    for (const opt of (tail[2] ?? '').split(',')) {
      if (opt.startsWith('lowerdir=')) m.lower = opt.slice(9).split(':').filter((d) => d !== '').map(unescapeMount);
      else if (opt.startsWith('upperdir=')) m.upper = unescapeMount(opt.slice(9));
      else if (opt.startsWith('workdir=')) m.work = unescapeMount(opt.slice(8));
    }
    out.push(m);
  }
  return out;
}
