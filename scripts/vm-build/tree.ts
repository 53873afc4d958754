// Helpers for file trees that hold another system's root: symlinks are resolved inside the tree
// (Debian ships absolute links such as /sbin/ip -> /bin/ip), never against the host's /.
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';

/** Relative paths ("bin/ip") of every entry under root, parents before children, sorted. */
export function walkTree(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, rel)).sort()) {
    const p = rel ? `${rel}/${name}` : name;
    out.push(p);
    if (lstatSync(join(root, p)).isDirectory()) out.push(...walkTree(root, p));
  }
  return out;
}

function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Follows symlinks of a path inside root, as the guest would see it. Returns the tree paths
 * visited, each symlink in order and the final target last, or null when a link dangles or loops.
 */
export function resolveInTree(root: string, path: string): string[] | null {
  const chain: string[] = [];
  let parts = posix.normalize('/' + path).split('/').filter(Boolean);
  let done: string[] = [];
  let hops = 0;
  while (parts.length > 0) {
    const part = parts.shift() as string;
    if (part === '..') {
      done.pop();
      continue;
    }
    const cur = [...done, part].join('/');
    const full = join(root, cur);
    if (!lexists(full)) return null;
    if (lstatSync(full).isSymbolicLink()) {
      if (++hops > 40) return null;
      chain.push(cur);
      const target = readlinkSync(full);
      const rest = target.split('/').filter((p) => p && p !== '.');
      if (target.startsWith('/')) done = [];
      parts = [...rest, ...parts];
      continue;
    }
    done.push(part);
  }
  chain.push(done.join('/'));
  return chain;
}
