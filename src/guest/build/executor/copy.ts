// COPY and ADD: which files a source names (wildcards as Go's filepath.Match, no escaping the
// root), a checksum of their contents for the cache key, and the copy itself into a layer tree
// (owner root unless --chown, modes kept unless --chmod, parent directories as the image has
// them so a layer never changes /tmp's mode), with ADD's local archives unpacked.

import type { Syscalls } from '../../sys/syscalls.ts';
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from '../../sys/constants.ts';
import { mkdirp } from '../../util/fsutil.ts';
import { Sha256 } from '../../util/sha256.ts';
import { extractContext } from '../context/extract.ts';

/** Cleans a source path to one relative to its root ("" is the root itself); ".." cannot leave it. */
export function cleanRel(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

const hasWildcard = (s: string): boolean => /[*?[]/.test(s);

function segmentRe(seg: string): RegExp {
  let re = '^';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = seg.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        re += `[${seg.slice(i + 1, close).replace(/^\^|^!/, '^')}]`;
        i = close;
      }
    } else if (c === '\\' && i + 1 < seg.length) re += seg[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`${re}$`);
}

/** The paths (relative to root) a source names; [] when nothing matches. */
export function matchSources(sys: Syscalls, root: string, source: string): string[] {
  const rel = cleanRel(source);
  if (!hasWildcard(rel)) return sys.lstatOrNull(rel === '' ? root : `${root}/${rel}`) ? [rel] : [];
  let current = [''];
  for (const seg of rel.split('/')) {
    const next: string[] = [];
    for (const base of current) {
      const dir = base === '' ? root : `${root}/${base}`;
      if (!hasWildcard(seg)) {
        const p = base === '' ? seg : `${base}/${seg}`;
        if (sys.lstatOrNull(`${root}/${p}`)) next.push(p);
        continue;
      }
      const st = sys.statOrNull(dir);
      if (!st || (st.mode & S_IFMT) !== S_IFDIR) continue;
      const re = segmentRe(seg);
      for (const e of sys.readdir(dir).map((d) => d.name).sort()) {
        if (e === '.' || e === '..') continue;
        if (re.test(e)) next.push(base === '' ? e : `${base}/${e}`);
      }
    }
    current = next;
  }
  return current;
}

/** A digest of the named files' paths, types, modes and contents (what the cache key needs). */
export function checksumSources(sys: Syscalls, root: string, rels: string[], fileHash: (path: string) => string): string {
  const h = new Sha256();
  const walk = (rel: string): void => {
    const abs = rel === '' ? root : `${root}/${rel}`;
    const st = sys.lstat(abs);
    const type = st.mode & S_IFMT;
    h.update(`${rel}\0${st.mode.toString(8)}\0`);
    if (type === S_IFREG) h.update(`${fileHash(abs)}\n`);
    else if (type === S_IFLNK) h.update(`${sys.readlink(abs)}\n`);
    else if (type === S_IFDIR) {
      for (const e of sys.readdir(abs).map((d) => d.name).filter((n) => n !== '.' && n !== '..').sort()) walk(rel === '' ? e : `${rel}/${e}`);
    }
  };
  for (const r of rels) walk(r);
  return h.hex();
}

/** sha256 of a file in JavaScript (the C one, sys.sha256File, is used where the runtime has it). */
export function jsFileHash(sys: Syscalls, path: string): string {
  const h = new Sha256();
  h.update(sys.readFile(path));
  return h.hex();
}

export interface Owner {
  uid: number;
  gid: number;
}

/** --chown's user[:group], names looked up in the image's /etc/passwd and /etc/group. */
export function resolveChown(spec: string, passwd: string, group: string): Owner {
  const [u = '', g] = spec.split(':');
  const lookup = (text: string, name: string, field: number): number | null => {
    for (const line of text.split('\n')) {
      const f = line.split(':');
      if (f[0] === name && f[field] !== undefined) return Number(f[field]);
    }
    return null;
  };
  let uid: number;
  let gid: number;
  if (/^\d+$/.test(u)) uid = Number(u);
  else {
    const v = lookup(passwd, u, 2);
    if (v === null) throw new Error(`unable to convert uid/gid chown string to host mapping: can't find uid for user ${u}: no such user: ${u}`);
    uid = v;
  }
  if (g === undefined || g === '') {
    gid = /^\d+$/.test(u) ? uid : (lookup(passwd, u, 3) ?? uid);
  } else if (/^\d+$/.test(g)) gid = Number(g);
  else {
    const v = lookup(group, g, 2);
    if (v === null) throw new Error(`unable to convert uid/gid chown string to host mapping: can't find gid for group ${g}: no such group: ${g}`);
    gid = v;
  }
  return { uid, gid };
}

export interface CopyPlan {
  /** The source folder (context or an image view) and the matched paths in it. */
  root: string;
  rels: string[];
  /** Absolute destination in the image. */
  dest: string;
  /** The destination is a directory (ends in /, several sources, or a directory in the image). */
  destIsDir: boolean;
  owner: Owner;
  chmod: number | null;
  /** ADD: unpack local tar archives into the destination. */
  unpackArchives: boolean;
  /** The image's files, to give parent directories their existing modes and owners. */
  imageRoot: string;
  /** The layer tree being built. */
  tree: string;
  /** Hard-link regular files instead of copying them (only for a source folder the build owns). */
  linkFiles?: boolean;
}

function isArchive(sys: Syscalls, path: string): boolean {
  const b = sys.readFile(path);
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return true;
  if (b.length >= 262 && String.fromCharCode(b[257]!, b[258]!, b[259]!, b[260]!, b[261]!) === 'ustar') return true;
  return false;
}

/** Creates dir's parents in the tree, each as the image has it (or root 0755). */
function ensureParents(sys: Syscalls, plan: CopyPlan, absDir: string): void {
  const parts = absDir.split('/').filter((p) => p !== '');
  let cur = '';
  for (const part of parts) {
    cur += `/${part}`;
    const inTree = `${plan.tree}${cur}`;
    if (sys.lstatOrNull(inTree)) continue;
    const st = sys.statOrNull(`${plan.imageRoot}${cur}`);
    if (st && (st.mode & S_IFMT) === S_IFDIR) {
      sys.mkdir(inTree, st.mode & 0o7777);
      sys.chmod(inTree, st.mode & 0o7777);
      sys.lchown(inTree, st.uid, st.gid);
    } else {
      sys.mkdir(inTree, 0o755);
      sys.chmod(inTree, 0o755);
      sys.lchown(inTree, plan.owner.uid, plan.owner.gid);
    }
  }
}

function copyNode(sys: Syscalls, plan: CopyPlan, from: string, to: string): void {
  const st = sys.lstat(from);
  const type = st.mode & S_IFMT;
  const mode = plan.chmod ?? st.mode & 0o7777;
  if (type === S_IFDIR) {
    if (!sys.lstatOrNull(to)) sys.mkdir(to, 0o755);
    sys.chmod(to, plan.chmod ?? st.mode & 0o7777);
    sys.lchown(to, plan.owner.uid, plan.owner.gid);
    for (const e of sys.readdir(from).map((d) => d.name).filter((n) => n !== '.' && n !== '..').sort()) copyNode(sys, plan, `${from}/${e}`, `${to}/${e}`);
  } else if (type === S_IFLNK) {
    if (sys.lstatOrNull(to)) sys.unlink(to);
    sys.symlink(sys.readlink(from), to);
    sys.lchown(to, plan.owner.uid, plan.owner.gid);
  } else if (type === S_IFREG) {
    if (sys.lstatOrNull(to)) sys.unlink(to);
    if (plan.linkFiles) {
      // the context folder is the build's own scratch copy: a hard link saves reading and
      // writing every byte through JavaScript (the commit copies the tree anyway)
      try {
        sys.link(from, to);
        sys.chmod(to, mode);
        sys.lchown(to, plan.owner.uid, plan.owner.gid);
        return;
      } catch {
        // another filesystem: copy
      }
    }
    sys.writeFile(to, sys.readFile(from), mode);
    sys.chmod(to, mode);
    sys.lchown(to, plan.owner.uid, plan.owner.gid);
  }
}

/** Copies the plan's sources into its tree; returns the number of top-level items copied. */
export function copyIntoTree(sys: Syscalls, plan: CopyPlan): number {
  let n = 0;
  for (const rel of plan.rels) {
    const from = rel === '' ? plan.root : `${plan.root}/${rel}`;
    const st = sys.lstat(from);
    const isDirSource = (st.mode & S_IFMT) === S_IFDIR;
    if (isDirSource) {
      // a directory's contents go into the destination, not the directory itself
      ensureParents(sys, plan, plan.dest);
      copyNode(sys, plan, from, `${plan.tree}${plan.dest}`);
    } else if (plan.unpackArchives && (st.mode & S_IFMT) === S_IFREG && isArchive(sys, from)) {
      ensureParents(sys, plan, plan.dest);
      extractContext(sys, sys.readFile(from), `${plan.tree}${plan.dest}`);
    } else {
      const base = rel.slice(rel.lastIndexOf('/') + 1);
      const target = plan.destIsDir ? `${plan.dest.replace(/\/$/, '')}/${base}` : plan.dest;
      ensureParents(sys, plan, target.slice(0, target.lastIndexOf('/')) || '/');
      copyNode(sys, plan, from, `${plan.tree}${target}`);
    }
    n++;
  }
  return n;
}

/** Writes a heredoc source (COPY <<EOF /dest) as a file in the tree. */
export function writeInline(sys: Syscalls, plan: CopyPlan, name: string, content: string): void {
  const target = plan.destIsDir ? `${plan.dest.replace(/\/$/, '')}/${name}` : plan.dest;
  ensureParents(sys, plan, target.slice(0, target.lastIndexOf('/')) || '/');
  const to = `${plan.tree}${target}`;
  const mode = plan.chmod ?? 0o644;
  sys.writeFile(to, content, mode);
  sys.chmod(to, mode);
  sys.lchown(to, plan.owner.uid, plan.owner.gid);
}

export function mkdirInTree(sys: Syscalls, tree: string, imageRoot: string, dir: string): void {
  ensureParents(sys, { root: '', rels: [], dest: dir, destIsDir: true, owner: { uid: 0, gid: 0 }, chmod: null, unpackArchives: false, imageRoot, tree }, dir);
  mkdirp(sys, `${tree}${dir}`);
}
