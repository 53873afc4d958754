// A streaming reader of tar archives (ustar, GNU long names, PAX headers) as image layers use.
// Feed it chunks; it calls onEntry for each member and streams file data to the returned sink.

import { utf8Decode } from './text.ts';

export type TarType = 'file' | 'link' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo';

export interface TarEntry {
  path: string;
  type: TarType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  /** Target of a hard link or symlink. */
  linkname: string;
  devmajor: number;
  devminor: number;
}

export interface EntrySink {
  data(chunk: Uint8Array): void;
  end(): void;
}

export class TarError extends Error {
  override name = 'TarError';
}

function octal(b: Uint8Array, off: number, len: number): number {
  // GNU base-256 for large values
  if (b[off]! & 0x80) {
    let v = b[off]! & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + b[off + i]!;
    return v;
  }
  const s = cstr(b, off, len).trim();
  if (s === '') return 0;
  const v = parseInt(s, 8);
  if (Number.isNaN(v)) throw new TarError(`bad number field in tar header: ${JSON.stringify(s)}`);
  return v;
}

function cstr(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return utf8Decode(b, off, end);
}

function parsePax(data: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    let sp = i;
    while (sp < data.length && data[sp] !== 0x20) sp++;
    const len = parseInt(utf8Decode(data, i, sp), 10);
    if (!(len > 0)) break;
    const rec = utf8Decode(data, sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

const TYPES: Record<string, TarType> = {
  '0': 'file', '\0': 'file', '7': 'file', '1': 'link', '2': 'symlink', '3': 'char', '4': 'block', '5': 'dir', '6': 'fifo',
};

export class TarReader {
  private header = new Uint8Array(512);
  private headerFill = 0;
  /** Bytes of member data left to deliver, then padding to skip. */
  private dataLeft = 0;
  private padLeft = 0;
  private sink: EntrySink | null = null;
  private meta: Uint8Array | null = null;
  private metaFill = 0;
  private metaKind: 'L' | 'K' | 'x' | 'g' | null = null;
  private longName: string | null = null;
  private longLink: string | null = null;
  private pax: Record<string, string> = {};
  private zeroBlocks = 0;
  finished = false;

  constructor(private onEntry: (e: TarEntry) => EntrySink | null) {}

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && !this.finished) {
      if (this.dataLeft > 0) {
        const n = Math.min(this.dataLeft, chunk.length - i);
        const part = chunk.subarray(i, i + n);
        if (this.meta) {
          this.meta.set(part, this.metaFill);
          this.metaFill += n;
        } else this.sink?.data(part);
        this.dataLeft -= n;
        i += n;
        if (this.dataLeft === 0) this.endMember();
        continue;
      }
      if (this.padLeft > 0) {
        const n = Math.min(this.padLeft, chunk.length - i);
        this.padLeft -= n;
        i += n;
        continue;
      }
      const n = Math.min(512 - this.headerFill, chunk.length - i);
      this.header.set(chunk.subarray(i, i + n), this.headerFill);
      this.headerFill += n;
      i += n;
      if (this.headerFill === 512) {
        this.headerFill = 0;
        this.parseHeader();
      }
    }
  }

  /** Call at end of input: fails if the archive stopped inside a member. */
  end(): void {
    if (this.dataLeft > 0 || this.headerFill > 0) throw new TarError('tar archive is truncated');
  }

  private endMember(): void {
    if (this.meta) {
      const data = this.meta;
      const kind = this.metaKind;
      this.meta = null;
      this.metaKind = null;
      if (kind === 'L') this.longName = cstr(data, 0, data.length);
      else if (kind === 'K') this.longLink = cstr(data, 0, data.length);
      else if (kind === 'x') this.pax = { ...this.pax, ...parsePax(data) };
    } else if (this.sink) {
      this.sink.end();
      this.sink = null;
    }
  }

  private parseHeader(): void {
    const h = this.header;
    if (h.every((b) => b === 0)) {
      if (++this.zeroBlocks >= 2) this.finished = true;
      return;
    }
    this.zeroBlocks = 0;
    let sum = 0;
    for (let k = 0; k < 512; k++) sum += k >= 148 && k < 156 ? 32 : h[k]!;
    if (sum !== octal(h, 148, 8)) throw new TarError('tar header checksum mismatch');
    const flag = String.fromCharCode(h[156]!);
    const size = octal(h, 124, 12);
    this.dataLeft = size;
    this.padLeft = (512 - (size % 512)) % 512;
    if (flag === 'L' || flag === 'K' || flag === 'x' || flag === 'g') {
      if (size > 1 << 20) throw new TarError('tar metadata header too large');
      this.meta = new Uint8Array(size);
      this.metaFill = 0;
      this.metaKind = flag;
      if (size === 0) this.endMember();
      return;
    }
    const magic = cstr(h, 257, 6);
    let name = cstr(h, 0, 100);
    if (magic.startsWith('ustar')) {
      const prefix = cstr(h, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    const type = TYPES[flag];
    const entry: TarEntry = {
      path: this.pax['path'] ?? this.longName ?? name,
      type: type ?? 'file',
      mode: octal(h, 100, 8) & 0o7777,
      uid: this.pax['uid'] ? Number(this.pax['uid']) : octal(h, 108, 8),
      gid: this.pax['gid'] ? Number(this.pax['gid']) : octal(h, 116, 8),
      size: this.pax['size'] ? Number(this.pax['size']) : size,
      mtime: this.pax['mtime'] ? Number(this.pax['mtime']) : octal(h, 136, 12),
      linkname: this.pax['linkpath'] ?? this.longLink ?? cstr(h, 157, 100),
      devmajor: octal(h, 329, 8),
      devminor: octal(h, 337, 8),
    };
    if (entry.size !== size) {
      this.dataLeft = entry.size;
      this.padLeft = (512 - (entry.size % 512)) % 512;
    }
    this.longName = null;
    this.longLink = null;
    this.pax = {};
    if (type === undefined) {
      // unknown member kinds (sparse, volume labels) are skipped, their data too
      this.sink = null;
      if (this.dataLeft === 0) this.endMember();
      return;
    }
    if (type !== 'file') {
      // only regular files carry data; a size on other kinds is ignored, as GNU tar does
      this.dataLeft = 0;
      this.padLeft = 0;
    }
    this.sink = this.onEntry(entry);
    if (this.dataLeft === 0) this.endMember();
  }
}
