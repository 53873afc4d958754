// A writer for the "newc" cpio format that the kernel unpacks as an initramfs. Writing it here
// (instead of running cpio) lets the archive hold root-owned files, device nodes and exact modes
// without the build running as root, and makes the archive the same on every machine.

export type CpioEntry =
  | { path: string; type: 'dir'; mode: number }
  | { path: string; type: 'file'; mode: number; data: Uint8Array }
  | { path: string; type: 'symlink'; target: string }
  | { path: string; type: 'char' | 'block'; mode: number; major: number; minor: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;

function hex8(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`cpio field out of range: ${n}`);
  return n.toString(16).toUpperCase().padStart(8, '0');
}

const pad4 = (n: number): number => (4 - (n % 4)) % 4;

function header(ino: number, mode: number, nlink: number, size: number, rmajor: number, rminor: number, name: Uint8Array): string {
  // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
  return '070701' + [ino, mode, 0, 0, nlink, 0, size, 0, 0, rmajor, rminor, name.length + 1, 0].map(hex8).join('');
}

function normalize(path: string): string {
  const p = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (p === '' ) return '.';
  if (p.split('/').some((part) => part === '..' || part === '')) throw new Error(`bad cpio path: ${path}`);
  return p;
}

/** Serializes entries (parents should come before children) followed by the TRAILER!!! record. */
export function writeCpio(entries: CpioEntry[]): Uint8Array {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const push = (b: Uint8Array) => {
    chunks.push(b);
    total += b.length;
  };
  const record = (ino: number, mode: number, nlink: number, rmaj: number, rmin: number, path: string, data: Uint8Array) => {
    const name = enc.encode(path);
    const head = enc.encode(header(ino, mode, nlink, data.length, rmaj, rmin, name));
    push(head);
    push(name);
    push(new Uint8Array(1 + pad4(head.length + name.length + 1)));
    push(data);
    push(new Uint8Array(pad4(data.length)));
  };
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    const path = normalize(e.path);
    if (seen.has(path)) throw new Error(`duplicate cpio path: ${path}`);
    seen.add(path);
    const ino = i + 1;
    switch (e.type) {
      case 'dir':
        record(ino, S_IFDIR | (e.mode & 0o7777), 2, 0, 0, path, new Uint8Array(0));
        break;
      case 'file':
        record(ino, S_IFREG | (e.mode & 0o7777), 1, 0, 0, path, e.data);
        break;
      case 'symlink':
        record(ino, S_IFLNK | 0o777, 1, 0, 0, path, enc.encode(e.target));
        break;
      case 'char':
      case 'block':
        record(ino, (e.type === 'char' ? S_IFCHR : S_IFBLK) | (e.mode & 0o7777), 1, e.major, e.minor, path, new Uint8Array(0));
        break;
    }
  });
  record(0, 0, 1, 0, 0, 'TRAILER!!!', new Uint8Array(0));
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

export interface CpioListing {
  path: string;
  mode: number;
  size: number;
  rdevMajor: number;
  rdevMinor: number;
  /** Symlink target or file content. */
  data: Uint8Array;
}

/** Reads a newc archive back (for checks of a built initramfs). */
export function readCpio(archive: Uint8Array): CpioListing[] {
  const dec = new TextDecoder();
  const out: CpioListing[] = [];
  let off = 0;
  for (;;) {
    if (off + 110 > archive.length) throw new Error('cpio archive ends without a trailer');
    const head = dec.decode(archive.subarray(off, off + 110));
    if (!head.startsWith('070701')) throw new Error(`bad cpio magic at offset ${off}`);
    const field = (i: number) => parseInt(head.slice(6 + i * 8, 14 + i * 8), 16);
    const [mode, size, rmaj, rmin, namesize] = [field(1), field(6), field(9), field(10), field(11)];
    const nameStart = off + 110;
    const path = dec.decode(archive.subarray(nameStart, nameStart + namesize - 1));
    const dataStart = nameStart + namesize + pad4(110 + namesize);
    if (path === 'TRAILER!!!') return out;
    out.push({ path, mode, size, rdevMajor: rmaj, rdevMinor: rmin, data: archive.subarray(dataStart, dataStart + size) });
    off = dataStart + size + pad4(size);
  }
}
