// Layers: a root filesystem tree (or the difference between two trees) becomes a deterministic
// tar (sorted names, one mtime, numeric owners), gzip-compressed into an OCI blob. The tree that
// went into the tar is kept unpacked beside the blobs for lazy use over 9p.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { createGzip } from 'node:zlib';
import { run } from '../lib/exec.ts';
import { BuildError } from '../lib/progress.ts';

export interface LayerBlob {
  /** sha256 of the uncompressed tar: the config's rootfs.diff_ids entry. */
  diffId: string;
  /** sha256 of the gzip blob: the manifest's layer digest. */
  digest: string;
  size: number;
  /** Size of the uncompressed tar. */
  tarSize: number;
  /** Paths (relative, no leading slash) that this layer deletes from the layers below. */
  whiteouts: string[];
}

/** Sets every mtime in a tree to one instant, so the unpacked copy matches the tar. */
export async function normalizeMtimes(tree: string, epoch: number): Promise<void> {
  await run('find', [tree, '-exec', 'touch', '--no-dereference', '--date', `@${epoch}`, '{}', '+']);
}

/**
 * Tars `tree` deterministically, streams it through sha256 (diff_id) and gzip into
 * blobsDir/sha256/<digest>. The blob's name is only known at the end, so it is written
 * under a temporary name and renamed.
 */
export async function writeLayerBlob(tree: string, blobsDir: string, epoch: number): Promise<Omit<LayerBlob, 'whiteouts'>> {
  const entries = readdirSync(tree).sort();
  if (entries.length === 0) throw new BuildError(`layer tree ${tree} is empty`);
  mkdirSync(join(blobsDir, 'sha256'), { recursive: true });
  const tmp = join(blobsDir, `.layer-${process.pid}.tmp`);
  const tarArgs = [
    '--create', '--file=-', `--directory=${tree}`,
    '--sort=name', '--format=posix', '--numeric-owner',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    `--mtime=@${epoch}`,
    '--xattrs', '--xattrs-include=security.capability',
    '--', ...entries,
  ];
  const diff = createHash('sha256');
  const blob = createHash('sha256');
  let tarSize = 0;
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    const tar = spawn('tar', tarArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    const err: Buffer[] = [];
    tar.stderr.on('data', (d: Buffer) => err.push(d));
    const gz = createGzip({ level: 9 });
    const out = createWriteStream(tmp);
    tar.stdout.on('data', (d: Buffer) => {
      diff.update(d);
      tarSize += d.length;
    });
    gz.on('data', (d: Buffer) => {
      blob.update(d);
      size += d.length;
    });
    tar.stdout.pipe(gz).pipe(out);
    // The file can be complete before tar's exit is reported (or the other way round): settle
    // only when both have happened.
    const exited = new Promise<number | null>((res) => tar.on('close', res));
    const written = new Promise<void>((res) => out.on('finish', res));
    void Promise.all([exited, written]).then(([code]) => {
      if (code !== 0) reject(new BuildError(`tar of ${tree} failed (${code}): ${Buffer.concat(err).toString().trim()}`));
      else resolve();
    });
    tar.on('error', reject);
    gz.on('error', reject);
    out.on('error', reject);
  });
  const digest = `sha256:${blob.digest('hex')}`;
  renameSync(tmp, join(blobsDir, 'sha256', digest.slice(7)));
  return { diffId: `sha256:${diff.digest('hex')}`, digest, size, tarSize };
}

interface Entry { st: Stats; }

function sameEntry(aPath: string, a: Stats, bPath: string, b: Stats): boolean {
  if ((a.mode & 0o170000) !== (b.mode & 0o170000)) return false;
  if (a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid) return false;
  if (a.isSymbolicLink()) return readlinkSync(aPath) === readlinkSync(bPath);
  if (a.isFile()) return a.size === b.size && readFileSync(aPath).equals(readFileSync(bPath));
  if (a.isCharacterDevice() || a.isBlockDevice()) return a.rdev === b.rdev;
  return true; // directories and fifos: metadata compared above
}

/**
 * Compares `upper` against `lower` (both full root trees) the way `docker commit` does: paths that
 * are new or changed, and paths that disappeared (whiteouts; only the topmost one of a removed
 * subtree). Changed paths come with their parent directories so the tar recreates them faithfully.
 */
export function diffTrees(lower: string, upper: string): { changed: string[]; removed: string[] } {
  const changed = new Set<string>();
  const removed: string[] = [];
  const addWithParents = (rel: string) => {
    const parts = rel.split('/');
    for (let i = 1; i <= parts.length; i++) changed.add(parts.slice(0, i).join('/'));
  };
  const walk = (rel: string) => {
    const upDir = join(upper, rel);
    const lowDir = join(lower, rel);
    const upNames = readdirSync(upDir).sort();
    const lowNames = existsSync(lowDir) && lstatSync(lowDir).isDirectory() ? readdirSync(lowDir) : [];
    for (const name of lowNames)
      if (!upNames.includes(name)) removed.push(rel ? `${rel}/${name}` : name);
    for (const name of upNames) {
      const r = rel ? `${rel}/${name}` : name;
      const up: Entry = { st: lstatSync(join(upper, r)) };
      let low: Stats | undefined;
      try {
        low = lstatSync(join(lower, r));
      } catch {
        low = undefined;
      }
      if (!low || !sameEntry(join(lower, r), low, join(upper, r), up.st)) addWithParents(r);
      if (up.st.isDirectory()) {
        if (low && !low.isDirectory()) addSubtree(r);
        else walk(r);
      }
    }
  };
  const addSubtree = (rel: string) => {
    for (const name of readdirSync(join(upper, rel))) {
      const r = `${rel}/${name}`;
      addWithParents(r);
      if (lstatSync(join(upper, r)).isDirectory()) addSubtree(r);
    }
  };
  walk('');
  for (const r of removed) {
    const parent = dirname(r);
    if (parent !== '.') addWithParents(parent);
  }
  return { changed: [...changed].sort(), removed: removed.sort() };
}

/**
 * Copies the changed paths of `upper` into `staging` (through tar, which keeps owners, modes,
 * hardlinks and capabilities) and adds `.wh.<name>` whiteout files for removed paths.
 */
export async function stageDiff(upper: string, diff: { changed: string[]; removed: string[] }, staging: string): Promise<void> {
  mkdirSync(staging, { recursive: true });
  const list = join(dirname(staging), `${process.pid}.files`);
  writeFileSync(list, diff.changed.join('\0') + '\0');
  try {
    await run('sh', ['-c',
      'tar --create --file=- --directory="$1" --no-recursion --null --verbatim-files-from --files-from="$2" --xattrs --xattrs-include=security.capability --numeric-owner | tar --extract --file=- --directory="$3" --same-owner --preserve-permissions --xattrs --xattrs-include=security.capability --numeric-owner',
      'stage-diff', upper, list, staging]);
  } finally {
    rmSync(list, { force: true });
  }
  for (const r of diff.removed) {
    const parent = dirname(r);
    const base = r.slice(parent === '.' ? 0 : parent.length + 1);
    writeFileSync(join(staging, parent === '.' ? '' : parent, `.wh.${base}`), '');
  }
}
