// The JavaScript reference of the native layer writer (src/guest/native/layer.c): an overlayfs
// upper directory as the uncompressed tar of an image layer, byte for byte what the C writes
// before compression. The fake Syscalls commits layers with it, and the native test compares the
// C's decompressed output with it. Too slow for the guest (QuickJS over every byte): the runtime
// calls Syscalls.writeLayer, which is the C.
//
// The format: POSIX ustar headers in a sorted depth-first walk; a PAX header ("././@PaxHeader")
// before an entry carries a path or link target over 100 bytes, numbers too big for their octal
// fields and extended attributes (SCHILY.xattr.*, without overlayfs's trusted.overlay.*). A 0:0
// character device (an overlayfs whiteout) becomes an empty file .wh.<name>; a directory marked
// trusted.overlay.opaque=y is followed by an empty .wh..wh..opq. A file met again through another
// hard link is stored as a link to its first name.

import type { LayerDigests, Syscalls } from '../sys/syscalls.ts';
import { S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG } from '../sys/constants.ts';
import { crc32 } from './inflate.ts';
import { Sha256 } from './sha256.ts';
import { utf8Encode } from './text.ts';

export type LayerFs = Pick<Syscalls, 'readdir' | 'lstat' | 'readFile' | 'readlink' | 'llistxattr' | 'lgetxattr'>;

const OPAQUE = 'trusted.overlay.opaque';

function octal(h: Uint8Array, off: number, len: number, v: number): boolean {
  const s = Math.max(0, Math.floor(v)).toString(8).padStart(len - 1, '0');
  if (s.length !== len - 1) return false;
  for (let i = 0; i < s.length; i++) h[off + i] = s.charCodeAt(i);
  h[off + len - 1] = 0;
  return true;
}

function putBytes(h: Uint8Array, off: number, max: number, b: Uint8Array): void {
  h.set(b.subarray(0, Math.min(max, b.length)), off);
}

interface Entry {
  name: string;
  type: '0' | '1' | '2' | '3' | '4' | '5' | '6' | 'x';
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  xattrs: [string, Uint8Array][];
}

function headerBlock(e: Entry): Uint8Array {
  const h = new Uint8Array(512);
  putBytes(h, 0, 100, utf8Encode(e.name));
  octal(h, 100, 8, e.mode);
  if (!octal(h, 108, 8, e.uid)) octal(h, 108, 8, 0);
  if (!octal(h, 116, 8, e.gid)) octal(h, 116, 8, 0);
  if (!octal(h, 124, 12, e.size)) octal(h, 124, 12, 0);
  octal(h, 136, 12, e.mtime);
  h[156] = e.type.charCodeAt(0);
  putBytes(h, 157, 100, utf8Encode(e.linkname));
  h.set([0x75, 0x73, 0x74, 0x61, 0x72, 0], 257); // "ustar\0"
  h.set([0x30, 0x30], 263); // "00"
  if (e.type === '3' || e.type === '4') {
    octal(h, 329, 8, e.devmajor);
    octal(h, 337, 8, e.devminor);
  }
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i]!;
  const s = sum.toString(8).padStart(6, '0');
  for (let i = 0; i < 6; i++) h[148 + i] = s.charCodeAt(i);
  h[154] = 0;
  h[155] = 0x20;
  return h;
}

/** "len key=value\n", where len counts its own digits too. */
function paxRecord(key: string, value: Uint8Array): Uint8Array {
  const k = utf8Encode(key);
  const body = 1 + k.length + 1 + value.length + 1;
  let digits = 1;
  for (;;) {
    const d = String(body + digits).length;
    if (d === digits) break;
    digits = d;
  }
  const head = utf8Encode(`${body + digits} `);
  const out = new Uint8Array(body + digits);
  out.set(head, 0);
  out.set(k, head.length);
  out[head.length + k.length] = 0x3d;
  out.set(value, head.length + k.length + 1);
  out[out.length - 1] = 0x0a;
  return out;
}

const MAX_OCTAL_SIZE = 0o77777777777;
const MAX_OCTAL_ID = 0o7777777;

/** A ustar header of a regular file or directory (names up to 100 bytes), for archives such as docker save's. */
export function tarHeader(name: string, size: number, opts: { dir?: boolean; mode?: number; mtime?: number } = {}): Uint8Array {
  return headerBlock({
    name, type: opts.dir ? '5' : '0', mode: opts.mode ?? (opts.dir ? 0o755 : 0o644), uid: 0, gid: 0, size, mtime: opts.mtime ?? 0,
    linkname: '', devmajor: 0, devminor: 0, xattrs: [],
  });
}

/** Zero bytes that pad a member of `size` bytes to the next 512-byte block. */
export function tarPadding(size: number): Uint8Array {
  return new Uint8Array((512 - (size % 512)) % 512);
}

interface TreeTarOptions {
  /** An overlayfs upper dir: 0:0 character devices and opaque directories become AUFS whiteouts. */
  whiteouts: boolean;
}

/** The tar writer both walks share: headers, PAX records, hard links met twice, xattrs. */
function treeTar(fs: LayerFs, out: (chunk: Uint8Array) => void, opts: TreeTarOptions) {
  let contentSize = 0;
  const zeros = new Uint8Array(512);
  const pad = (size: number): void => {
    const n = (512 - (size % 512)) % 512;
    if (n) out(zeros.subarray(0, n));
  };
  const header = (e: Entry): void => {
    const recs: Uint8Array[] = [];
    if (utf8Encode(e.name).length > 100) recs.push(paxRecord('path', utf8Encode(e.name)));
    if (utf8Encode(e.linkname).length > 100) recs.push(paxRecord('linkpath', utf8Encode(e.linkname)));
    if (e.size > MAX_OCTAL_SIZE) recs.push(paxRecord('size', utf8Encode(String(e.size))));
    if (e.uid > MAX_OCTAL_ID) recs.push(paxRecord('uid', utf8Encode(String(e.uid))));
    if (e.gid > MAX_OCTAL_ID) recs.push(paxRecord('gid', utf8Encode(String(e.gid))));
    for (const [k, v] of e.xattrs) recs.push(paxRecord(`SCHILY.xattr.${k}`, v));
    if (recs.length) {
      const len = recs.reduce((a, r) => a + r.length, 0);
      out(headerBlock({ name: '././@PaxHeader', type: 'x', mode: 0o644, uid: 0, gid: 0, size: len, mtime: 0, linkname: '', devmajor: 0, devminor: 0, xattrs: [] }));
      for (const r of recs) out(r);
      pad(len);
    }
    out(headerBlock({ ...e, size: e.type === '0' ? e.size : 0 }));
  };
  const firstLink = new Map<string, string>();
  const xattrsOf = (path: string): [string, Uint8Array][] => {
    let names: string[];
    try {
      names = fs.llistxattr(path);
    } catch {
      return [];
    }
    const got: [string, Uint8Array][] = [];
    for (const n of names) {
      if (n.startsWith('trusted.overlay.')) continue;
      const v = fs.lgetxattr(path, n);
      if (v && v.length <= 4096) got.push([n, v]);
    }
    return got;
  };
  const empty = (name: string, mtime: number): Entry => ({
    name, type: '0', mode: 0, uid: 0, gid: 0, size: 0, mtime, linkname: '', devmajor: 0, devminor: 0, xattrs: [],
  });
  /** One entry named rel + name (rel is "" or ends in "/"), and a directory's contents after it. */
  const entry = (path: string, rel: string, name: string): void => {
    const st = fs.lstat(path);
    const fmt = st.mode & S_IFMT;
    const mtime = Math.floor(st.mtimeMs / 1000);
    if (fmt !== S_IFDIR) contentSize += st.size;
    const base: Entry = {
      name: `${rel}${name}${fmt === S_IFDIR ? '/' : ''}`, type: '0', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: 0,
      mtime, linkname: '', devmajor: 0, devminor: 0, xattrs: fmt === S_IFLNK ? [] : xattrsOf(path),
    };
    if (opts.whiteouts && fmt === S_IFCHR && st.rdev === 0) {
      header(empty(`${rel}.wh.${name}`, mtime));
    } else if (fmt === S_IFDIR) {
      header({ ...base, type: '5' });
      const opq = opts.whiteouts ? fs.lgetxattr(path, OPAQUE) : null;
      if (opq && opq.length === 1 && opq[0] === 0x79) header(empty(`${base.name}.wh..wh..opq`, mtime));
      walk(path, base.name);
    } else if (fmt === S_IFLNK) {
      header({ ...base, type: '2', linkname: fs.readlink(path) });
    } else if (fmt === S_IFREG) {
      const key = `${st.dev}:${st.ino}`;
      const first = firstLink.get(key);
      if (first !== undefined) {
        header({ ...base, type: '1', linkname: first });
        return;
      }
      firstLink.set(key, base.name);
      const data = fs.readFile(path);
      header({ ...base, type: '0', size: data.length });
      out(data);
      pad(data.length);
    } else if (fmt === S_IFCHR || fmt === S_IFBLK || fmt === S_IFIFO) {
      const rdev = st.rdev >>> 0;
      header({
        ...base, type: fmt === S_IFCHR ? '3' : fmt === S_IFBLK ? '4' : '6',
        devmajor: ((rdev >>> 8) & 0xfff), devminor: (rdev & 0xff) | ((rdev >>> 12) & 0xfff00),
      });
    }
    // sockets have no tar form
  };
  const walk = (abs: string, rel: string): void => {
    const names = fs.readdir(abs).map((d) => d.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) entry(`${abs}/${name}`, rel, name);
  };
  return {
    entry,
    walk,
    end(): number {
      out(new Uint8Array(1024));
      return contentSize;
    },
  };
}

/** Writes the tar of `dir` to `out` in chunks (the stream the C compresses); returns contentSize. */
export function layerTar(fs: LayerFs, dir: string, out: (chunk: Uint8Array) => void): number {
  const w = treeTar(fs, out, { whiteouts: true });
  w.walk(dir, '');
  return w.end();
}

/**
 * The tar of one path as `docker cp` sends it: the file, link or directory (with everything under
 * it) as an entry named `name`, or, with name "", a directory's contents only. Returns the bytes
 * of content.
 */
export function pathTar(fs: LayerFs, path: string, name: string, out: (chunk: Uint8Array) => void): number {
  const w = treeTar(fs, out, { whiteouts: false });
  if (name === '') w.walk(path, '');
  else w.entry(path, '', name);
  return w.end();
}

/** gzip (RFC 1952) of `data` in stored deflate blocks: valid, uncompressed, and quick in JS. */
export function gzipStored(data: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.length / 65535));
  const out = new Uint8Array(10 + data.length + blocks * 5 + 8);
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3], 0);
  let o = 10;
  for (let b = 0; b < blocks; b++) {
    const start = b * 65535;
    const len = Math.min(65535, data.length - start);
    out[o++] = b === blocks - 1 ? 1 : 0;
    out[o++] = len & 0xff;
    out[o++] = len >>> 8;
    out[o++] = ~len & 0xff;
    out[o++] = (~len >>> 8) & 0xff;
    out.set(data.subarray(start, start + len), o);
    o += len;
  }
  const crc = crc32(data);
  const n = data.length;
  out.set([crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24], o);
  return out;
}

/** The layer of `dir` as the C computes it, but with a stored (uncompressed) gzip blob. */
export function layerBlobJs(fs: LayerFs, dir: string): { blob: Uint8Array; digests: LayerDigests } {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const hash = new Sha256();
  const contentSize = layerTar(fs, dir, (c) => {
    // chunks may be views of reused buffers: keep copies
    chunks.push(c.slice());
    total += c.length;
    hash.update(c);
  });
  const tar = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    tar.set(c, o);
    o += c.length;
  }
  const blob = gzipStored(tar);
  return {
    blob,
    digests: { digest: `sha256:${new Sha256().update(blob).hex()}`, diffId: `sha256:${hash.hex()}`, size: blob.length, diffSize: total, contentSize },
  };
}
