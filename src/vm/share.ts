// Host folders exposed on the guest's 9p share (/mnt/host/<name>) without copying them into
// emulator memory: the folder's index (v86's JSON filesystem format, version 3) is loaded into
// v86's 9p filesystem as inodes "on storage", and their contents are read on demand through a
// storage object: from disk in Node (node-share.ts), over HTTP in the browser (urlFolder below).
//
// Index format (what v86's fs2json.py writes; our generator is share-index.ts):
//   { version: 3, size: <total bytes>, fsroot: [entry...] }
//   entry = [name, size, mtime (s), mode (with S_IFMT bits), uid, gid, target]
//   target: children (directory), link text (symlink), or for a regular file its storage key.
// v86 names the file key "sha256" and fetches <baseurl>/<sha256>; our index stores the file's
// path relative to the folder instead, so the folder is served as it is on disk.
import type { V86FileStorage, V86Filesystem, V86FsEntry, V86FsIndex } from './v86-types.ts';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const KEY_PREFIX = 'share:';

/** A folder's contents, read lazily. */
export interface FolderSource {
  index(): Promise<V86FsIndex>;
  /** Reads count bytes at offset of the file at relPath (whose size is fileSize). */
  read(relPath: string, offset: number, count: number, fileSize: number): Promise<Uint8Array>;
  /** The guest closed the file: cached data may go. */
  release?(relPath: string): void;
}

/**
 * Wraps v86's own storage (files the host or guest wrote) and serves keys of attached folders
 * from their sources.
 */
export class ShareStorage implements V86FileStorage {
  private readonly folders = new Map<string, FolderSource>();

  constructor(private readonly inner: V86FileStorage) {}

  add(name: string, source: FolderSource): void {
    this.folders.set(name, source);
  }

  private route(key: string): { source: FolderSource; rel: string } | null {
    if (!key.startsWith(KEY_PREFIX)) return null;
    const rest = key.slice(KEY_PREFIX.length);
    const slash = rest.indexOf('/');
    const source = this.folders.get(rest.slice(0, slash));
    return source ? { source, rel: rest.slice(slash + 1) } : null;
  }

  async read(key: string, offset: number, count: number, fileSize: number): Promise<Uint8Array | null> {
    const r = this.route(key);
    if (!r) return this.inner.read(key, offset, count, fileSize);
    const end = Math.min(offset + count, fileSize);
    if (end <= offset) return new Uint8Array(0);
    return r.source.read(r.rel, offset, end - offset, fileSize);
  }

  async cache(key: string, data: Uint8Array): Promise<void> {
    if (!this.route(key)) await this.inner.cache(key, data);
  }

  uncache(key: string): void {
    const r = this.route(key);
    if (r) r.source.release?.(r.rel);
    else this.inner.uncache(key);
  }
}

/** Installs the ShareStorage on v86's filesystem once and returns it. */
export function shareStorageOf(fs: V86Filesystem): ShareStorage {
  if (fs.storage instanceof ShareStorage) return fs.storage;
  const s = new ShareStorage(fs.storage);
  fs.storage = s;
  return s;
}

const NAME_RE = /^[A-Za-z0-9._-]+$/;

/** Puts the folder at /<name> on the share (replacing whatever was there); returns its file count. */
export async function attachFolder(fs: V86Filesystem, name: string, source: FolderSource): Promise<number> {
  if (!NAME_RE.test(name) || name === '.' || name === '..') throw new Error(`bad share folder name: ${JSON.stringify(name)}`);
  const index = await source.index();
  if (index.version !== 3 || !Array.isArray(index.fsroot)) throw new Error(`share folder ${name}: index is not v86 JSON format version 3`);
  shareStorageOf(fs).add(name, source);
  const old = fs.SearchPath(name);
  if (old.id !== -1) {
    if (fs.IsDirectory(old.id)) fs.RecursiveDelete(name);
    fs.Unlink(0, name);
  }
  const dir = fs.CreateDirectory(name, 0);
  let files = 0;
  const rekey = (entry: V86FsEntry, prefix: string): V86FsEntry => {
    const [n, size, mtime, mode, uid, gid, target] = entry;
    const path = prefix ? `${prefix}/${n}` : n;
    if ((mode & S_IFMT) === S_IFDIR) return [n, size, mtime, mode, uid, gid, ((target as V86FsEntry[] | undefined) ?? []).map((c) => rekey(c, path))];
    if ((mode & S_IFMT) === S_IFREG) {
      files++;
      return [n, size, mtime, mode, uid, gid, `${KEY_PREFIX}${name}/${storageKey(target, path)}`];
    }
    return entry;
  };
  for (const entry of index.fsroot) fs.LoadRecursive(rekey(entry, ''), dir);
  return files;
}

/** A regular file's key in its folder: the index's own, else its path. */
const storageKey = (target: V86FsEntry[6], path: string): string => (typeof target === 'string' ? target : path);

/** The folder-relative keys of every regular file an index lists (what a source is asked to read). */
export function indexFileKeys(index: V86FsIndex): string[] {
  const keys: string[] = [];
  const walk = (entries: readonly V86FsEntry[], prefix: string): void => {
    for (const [n, , , mode, , , target] of entries) {
      const path = prefix ? `${prefix}/${n}` : n;
      if ((mode & S_IFMT) === S_IFDIR) walk((target as V86FsEntry[] | undefined) ?? [], path);
      else if ((mode & S_IFMT) === S_IFREG) keys.push(storageKey(target, path));
    }
  };
  walk(index.fsroot, '');
  return keys;
}

/** Bytes per HTTP range request; the guest reads in 9p-message-sized pieces, so fetch more at once. */
const CHUNK = 1 << 20;
const MAX_CACHED_CHUNKS = 48;

/**
 * A folder served over HTTP (the browser): the index from indexUrl, files from baseUrl + path,
 * fetched in 1 MiB range requests with a small LRU cache of chunks.
 */
export function urlFolder(baseUrl: string, indexUrl: string, fetchFn: typeof fetch = fetch): FolderSource {
  const base = baseUrl.endsWith('/') ? baseUrl : baseUrl + '/';
  const chunks = new Map<string, Promise<Uint8Array>>();
  const url = (rel: string) => base + rel.split('/').map(encodeURIComponent).join('/');
  const chunk = (rel: string, n: number, fileSize: number): Promise<Uint8Array> => {
    const key = `${n}:${rel}`;
    const hit = chunks.get(key);
    if (hit) {
      chunks.delete(key);
      chunks.set(key, hit);
      return hit;
    }
    const start = n * CHUNK;
    const end = Math.min(start + CHUNK, fileSize) - 1;
    const p = (async () => {
      const whole = start === 0 && end === fileSize - 1;
      const res = await fetchFn(url(rel), whole ? {} : { headers: { Range: `bytes=${start}-${end}` } });
      if (!res.ok) throw new Error(`share: GET ${url(rel)}: HTTP ${res.status}`);
      const buf = new Uint8Array(await res.arrayBuffer());
      // A server that ignores Range sends the whole file.
      return res.status === 200 && !whole ? buf.subarray(start, end + 1) : buf;
    })();
    p.catch(() => chunks.delete(key));
    chunks.set(key, p);
    while (chunks.size > MAX_CACHED_CHUNKS) chunks.delete(chunks.keys().next().value as string);
    return p;
  };
  return {
    async index() {
      const res = await fetchFn(indexUrl);
      if (!res.ok) throw new Error(`share: GET ${indexUrl}: HTTP ${res.status}`);
      return (await res.json()) as V86FsIndex;
    },
    async read(rel, offset, count, fileSize) {
      const out = new Uint8Array(count);
      let at = offset;
      while (at < offset + count) {
        const n = Math.floor(at / CHUNK);
        const data = await chunk(rel, n, fileSize);
        const from = at - n * CHUNK;
        const take = Math.min(data.length - from, offset + count - at);
        if (take <= 0) break;
        out.set(data.subarray(from, from + take), at - offset);
        at += take;
      }
      return out.subarray(0, at - offset);
    },
    release(rel) {
      for (const k of [...chunks.keys()]) if (k.slice(k.indexOf(':') + 1) === rel) chunks.delete(k);
    },
  };
}
