// The mirror's HTTP semantics as a pure function of a request and the archive folder: GET and
// HEAD of regular files, Last-Modified / If-Modified-Since (apt's second `update` gets 304s),
// and single byte ranges (apt resumes partial downloads with Range + If-Range).
import type { Syscalls } from '../sys/syscalls.ts';
import { utf8Encode } from '../util/text.ts';

export interface FileRequest {
  method: string;
  /** The request target's path, still percent-encoded. */
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
}

export interface FileReply {
  status: number;
  headers: Record<string, string>;
  /** null for HEAD and bodiless statuses; Content-Length is set either way. */
  body: Uint8Array | null;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (n: number) => String(n).padStart(2, '0');

/** RFC 9110's IMF-fixdate ("Sat, 10 Jun 2023 00:00:00 GMT"), written by hand: QuickJS's Date formatting is not to be relied on. */
export function httpDate(ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  return `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} GMT`;
}

/** Parses an IMF-fixdate; null for anything else (RFC 9110 says to ignore an invalid date). */
export function parseHttpDate(s: string): number | null {
  const m = /^[A-Z][a-z]{2}, (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(s.trim());
  if (!m) return null;
  const month = MONTHS.indexOf(m[2]!);
  if (month < 0) return null;
  return Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** The archive-relative path of a request, or null when it is outside the archive. */
export function archivePath(path: string, prefixes: string[]): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  const prefix = prefixes.find((p) => decoded.startsWith(p));
  if (!prefix || decoded.includes('\0')) return null;
  const parts = decoded.slice(prefix.length).split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) return null;
  return parts.join('/');
}

/** [start, end] inclusive of a single "bytes=" range; 'bad' when unsatisfiable; null to ignore. */
export function parseRange(header: string, size: number): [number, number] | 'bad' | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges or another unit: answering with the whole file is allowed (RFC 9110 14.2).
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'bad';
    return [Math.max(0, size - n), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'bad';
  return [start, end];
}

function text(status: number, message: string, extra: Record<string, string> = {}): FileReply {
  const body = utf8Encode(message + '\n');
  return { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(body.length), ...extra }, body };
}

function contentType(rel: string): string {
  if (rel.endsWith('.deb')) return 'application/vnd.debian.binary-package';
  if (rel.endsWith('.gz')) return 'application/gzip';
  if (rel.endsWith('.gpg')) return 'application/pgp-signature';
  return rel.endsWith('Release') || rel.endsWith('Packages') ? 'text/plain; charset=utf-8' : 'application/octet-stream';
}

/** Answers one request from the archive at root (read when asked: it is on the 9p share). */
export function serveArchiveFile(sys: Syscalls, root: string, prefixes: string[], req: FileRequest): FileReply {
  const head = req.method === 'HEAD';
  const withoutBody = (r: FileReply): FileReply => (head ? { ...r, body: null } : r);
  if (req.method !== 'GET' && !head) return text(405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
  const rel = archivePath(req.path, prefixes);
  const st = rel === null ? null : sys.statOrNull(`${root}/${rel}`);
  if (rel === null || !st || (st.mode & S_IFMT) !== S_IFREG) return withoutBody(text(404, 'Not Found'));
  const lastModified = httpDate(st.mtimeMs);
  const headers: Record<string, string> = { 'Content-Type': contentType(rel), 'Last-Modified': lastModified, 'Accept-Ranges': 'bytes' };
  const since = req.headers['if-modified-since'];
  const sinceMs = since ? parseHttpDate(since) : null;
  if (sinceMs !== null && Math.floor(st.mtimeMs / 1000) * 1000 <= sinceMs) return { status: 304, headers: { 'Last-Modified': lastModified }, body: null };
  const rangeHeader = req.headers['range'];
  const ifRange = req.headers['if-range'];
  // If-Range names the version the client has part of; another version gets the whole file.
  const range = rangeHeader && (!ifRange || ifRange === lastModified) ? parseRange(rangeHeader, st.size) : null;
  if (range === 'bad') return withoutBody(text(416, 'Range Not Satisfiable', { 'Content-Range': `bytes */${st.size}` }));
  const [start, end] = range ?? [0, st.size - 1];
  const length = Math.max(0, end - start + 1);
  headers['Content-Length'] = String(length);
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${st.size}`;
  const status = range ? 206 : 200;
  if (head) return { status, headers, body: null };
  const data = sys.readFile(`${root}/${rel}`);
  return { status, headers, body: range ? data.subarray(start, end + 1) : data };
}
