// A small tar writer (ustar headers, PAX records for long names and big sizes) for the build
// context the CLI sends to the daemon, and for ADD/COPY tests.

import { utf8Encode } from '../../util/text.ts';

export interface TarMember {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  linkname?: string;
  data?: Uint8Array;
}

function field(h: Uint8Array, off: number, len: number, s: string): void {
  const b = utf8Encode(s);
  h.set(b.subarray(0, len), off);
}

function octal(h: Uint8Array, off: number, len: number, v: number): void {
  field(h, off, len - 1, v.toString(8).padStart(len - 1, '0'));
}

function header(name: string, type: string, mode: number, size: number, m: TarMember, linkname: string): Uint8Array {
  const h = new Uint8Array(512);
  field(h, 0, 100, name);
  octal(h, 100, 8, mode & 0o7777);
  octal(h, 108, 8, m.uid ?? 0);
  octal(h, 116, 8, m.gid ?? 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, Math.floor(m.mtime ?? 0));
  h[156] = type.charCodeAt(0);
  field(h, 157, 100, linkname);
  field(h, 257, 6, 'ustar');
  field(h, 263, 2, '00');
  for (let i = 148; i < 156; i++) h[i] = 32;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i]!;
  field(h, 148, 7, sum.toString(8).padStart(6, '0') + '\0');
  return h;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + utf8Encode(body).length !== len) len = String(len).length + utf8Encode(body).length;
  return `${len}${body}`;
}

const pad = (n: number): Uint8Array => new Uint8Array((512 - (n % 512)) % 512);

/** The bytes of one member (header, data, padding). */
export function tarMember(m: TarMember): Uint8Array[] {
  const out: Uint8Array[] = [];
  const data = m.type === 'file' ? (m.data ?? new Uint8Array(0)) : new Uint8Array(0);
  const name = m.type === 'dir' && !m.path.endsWith('/') ? `${m.path}/` : m.path;
  const linkname = m.linkname ?? '';
  let pax = '';
  if (utf8Encode(name).length > 100) pax += paxRecord('path', name);
  if (utf8Encode(linkname).length > 100) pax += paxRecord('linkpath', linkname);
  if (data.length > 0o77777777777) pax += paxRecord('size', String(data.length));
  if (pax) {
    const pb = utf8Encode(pax);
    out.push(header('PaxHeader', 'x', 0o644, pb.length, m, ''), pb, pad(pb.length));
  }
  const type = m.type === 'file' ? '0' : m.type === 'dir' ? '5' : '2';
  out.push(header(name.slice(0, 100), type, m.mode, data.length, m, linkname.slice(0, 100)));
  if (data.length) out.push(data, pad(data.length));
  return out;
}

export const TAR_END = new Uint8Array(1024);

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A whole archive in memory. */
export function tarArchive(members: TarMember[]): Uint8Array {
  return concatBytes([...members.flatMap(tarMember), TAR_END]);
}
