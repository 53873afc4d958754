// docker cp (moby's cli/command/container/cp.go): files between a container and the guest, both
// ways, through the container archive endpoints; "-" streams a tar on stdin or stdout. Where a
// copy lands follows Docker's rules (cp/paths.ts); what lands on this side is unpacked so that
// nothing in the archive can write outside the destination (cp/extract.ts).

import { CopyError, extractInto } from '../../cp/extract.ts';
import { assertsDirectory, contentsOnly, planCopy, splitCopyArg } from '../../cp/paths.ts';
import { decodePathStat, isDirMode, PATH_STAT_HEADER, type PathStat } from '../../cp/stat.ts';
import { secureJoin } from '../../runc/securejoin.ts';
import { S_IFDIR, S_IFMT } from '../../sys/constants.ts';
import { readAllFd, writeAll } from '../../sys/io.ts';
import { humanSize } from '../../util/humanize.ts';
import { pathTar } from '../../util/layertar.ts';
import { basename, dirname, resolve } from '../../util/path.ts';
import { failIfError } from './archive.ts';
import { CliError, type CommandTable, type Ctx } from './context.ts';
import { CP_SPECS } from './cp-spec.ts';

interface Options {
  archive: boolean;
  followLink: boolean;
  quiet: boolean;
}

/** The local path made absolute, keeping a trailing "/" or "/." (they change what is meant). */
function localPath(c: Ctx, p: string): string {
  const abs = resolve(c.sys.getcwd(), p);
  if (contentsOnly(p)) return `${abs === '/' ? '' : abs}/.`;
  if (p.endsWith('/') && abs !== '/') return `${abs}/`;
  return abs;
}

/** The path without the trailing "/" or "/." that localPath keeps. */
function withoutDot(p: string): string {
  return p.replace(/\/\.?$/, '') || '/';
}

/** The container's own name, or the daemon's "No such container" as an error response. */
function containerName(c: Ctx, ref: string): string {
  const info = c.client.call<{ Name: string }>('GET', `/containers/${encodeURIComponent(ref)}/json`);
  return info.Name.replace(/^\//, '');
}

/** Stats a path in a container: null when nothing is there. */
function statInContainer(c: Ctx, ref: string, path: string): PathStat | null {
  const { conn, res } = c.client.open('HEAD', `/containers/${encodeURIComponent(ref)}/archive?path=${encodeURIComponent(path)}`);
  // a HEAD answer has no body to read, whatever its Content-Length says
  conn.close();
  if (res.status === 404) return null;
  const header = res.headers[PATH_STAT_HEADER.toLowerCase()];
  if (res.status >= 400 || !header) throw new CliError(`Error response from daemon: could not stat ${path} in container ${ref} (HTTP ${res.status})`);
  return decodePathStat(header);
}

function done(c: Ctx, o: Options, bytes: number, to: string): void {
  if (!o.quiet) c.err(`Successfully copied ${humanSize(bytes)} to ${to}\n`);
}

function copyFromContainer(c: Ctx, ref: string, srcPath: string, dst: string, o: Options): number {
  containerName(c, ref);
  let path = srcPath.startsWith('/') ? srcPath : `/${srcPath}`;
  if (o.followLink) {
    const st = statInContainer(c, ref, path);
    if (st?.linkTarget) path = st.linkTarget;
  }
  const { conn, res } = c.client.open('GET', `/containers/${encodeURIComponent(ref)}/archive?path=${encodeURIComponent(path)}`);
  failIfError(conn, res);
  const stat = decodePathStat(res.headers[PATH_STAT_HEADER.toLowerCase()] ?? '');
  let total = 0;
  if (dst === '-') {
    try {
      conn.readBody(res, (b) => {
        total += b.length;
        writeAll(c.sys, 1, b);
      });
    } finally {
      conn.close();
    }
    return 0;
  }
  const target = localPath(c, dst);
  const have = c.sys.statOrNull(withoutDot(target));
  const srcIsDir = isDirMode(stat.mode);
  let plan;
  try {
    plan = planCopy({ path: srcPath, isDir: srcIsDir }, { path: target, isDir: have === null ? null : (have.mode & S_IFMT) === S_IFDIR });
  } catch (e) {
    conn.close();
    throw e instanceof CopyError ? new CliError(e.message) : e;
  }
  const dirSt = c.sys.statOrNull(plan.dir);
  if (!dirSt || (dirSt.mode & S_IFMT) !== S_IFDIR) {
    conn.close();
    throw new CliError(`invalid output path: directory ${JSON.stringify(plan.dir).slice(1, -1)} does not exist`);
  }
  // the archive names the source by its own name ("" for a directory's content)
  const tarName = contentsOnly(srcPath) ? '' : basename(path);
  const x = extractInto(c.sys, plan.dir, '', {
    owner: o.archive ? 'archive' : { uid: c.sys.getuid(), gid: c.sys.getgid() },
    noOverwriteDirNonDir: true,
    ...(tarName !== plan.name ? { rename: { from: tarName, to: plan.name } } : {}),
  });
  try {
    conn.readBody(res, (b) => {
      total += b.length;
      x.push(b);
    });
    x.finish();
  } catch (e) {
    throw e instanceof CopyError ? new CliError(e.message) : e;
  } finally {
    conn.close();
  }
  done(c, o, total, dst);
  return 0;
}

function copyToContainer(c: Ctx, src: string, ref: string, dstPath: string, o: Options): number {
  const name = containerName(c, ref);
  const dst = dstPath.startsWith('/') ? dstPath : `/${dstPath}`;
  const dstStat = statInContainer(c, ref, dst);
  let dir: string;
  let tar: Uint8Array;
  if (src === '-') {
    if (!dstStat || !isDirMode(dstStat.mode)) throw new CliError(`destination "${ref}:${dstPath}" must be a directory`);
    if (c.sys.isatty(0)) throw new CliError('requested copy from stdin, but stdin is a terminal');
    tar = readAllFd(c.sys, 0);
    dir = dst;
  } else {
    const local = localPath(c, src);
    const bare = withoutDot(local);
    let st = c.sys.lstatOrNull(bare);
    if (!st) throw new CliError(`lstat ${bare}: no such file or directory`);
    // -L copies what a link points at, under the link's name
    const packFrom = o.followLink ? secureJoin(c.sys, '/', bare) : bare;
    if (o.followLink) st = c.sys.lstatOrNull(packFrom) ?? st;
    const srcIsDir = (st.mode & S_IFMT) === S_IFDIR;
    if (contentsOnly(src) && !srcIsDir) throw new CliError(`not a directory`);
    if (!dstStat && !assertsDirectory(dst)) {
      // the parent must be there: Docker names the missing path as the daemon does
      const parent = dirname(dst);
      if (!statInContainer(c, ref, parent)) throw new CliError(`Error response from daemon: Could not find the file ${parent} in container ${ref}`);
    }
    let plan;
    try {
      plan = planCopy({ path: src, isDir: srcIsDir }, { path: dst, isDir: dstStat ? isDirMode(dstStat.mode) : null });
    } catch (e) {
      throw e instanceof CopyError ? new CliError(e.message) : e;
    }
    dir = plan.dir;
    const chunks: Uint8Array[] = [];
    let size = 0;
    pathTar(c.sys, packFrom, plan.name, (b) => {
      chunks.push(b.slice());
      size += b.length;
    });
    tar = new Uint8Array(size);
    let at = 0;
    for (const ch of chunks) {
      tar.set(ch, at);
      at += ch.length;
    }
  }
  const q = `path=${encodeURIComponent(dir)}&noOverwriteDirNonDir=true${o.archive ? '&copyUIDGID=true' : ''}`;
  const { conn, res } = c.client.openBytes('PUT', `/containers/${encodeURIComponent(ref)}/archive?${q}`, tar, 'application/x-tar');
  failIfError(conn, res);
  conn.readBody(res, () => {});
  conn.close();
  done(c, o, tar.length, `${name}:${dstPath}`);
  return 0;
}

export const cpCommands: CommandTable = {
  cp: {
    spec: CP_SPECS['cp']!,
    run: (c, p) => {
      const [from, to] = [splitCopyArg(p.args[0]!), splitCopyArg(p.args[1]!)];
      const o: Options = { archive: p.flags.bool('archive'), followLink: p.flags.bool('follow-link'), quiet: p.flags.bool('quiet') };
      if (from.container !== null && to.container !== null) throw new CliError('copying between containers is not supported');
      if (from.container !== null) {
        if (!from.path) throw new CliError('source path cannot be empty');
        return copyFromContainer(c, from.container, from.path, to.path, o);
      }
      if (to.container !== null) {
        if (!to.path) throw new CliError('destination path cannot be empty');
        return copyToContainer(c, from.path, to.container, to.path, o);
      }
      throw new CliError('must specify at least one container source');
    },
  },
};
