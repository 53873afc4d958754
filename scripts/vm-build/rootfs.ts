// Stage 2: the guest's root filesystem as a gzip'd newc initramfs, and the tools folder beside it.
// The initramfs holds what boots and runs the engine: the runtime binary, a static busybox with a
// link for each applet no real binary provides, and the overlay tree vm-images/rootfs/. The
// lessons' glibc tools (iproute2's ip and bridge, util-linux's namespace tools, and exactly the
// shared libraries they reach, libc included) go to the tools folder, which the driver serves on
// the 9p share read on demand (/mnt/host/tools); the initramfs links each of their paths there.
// An initramfs lives in RAM, so each of its bytes is in the boot snapshot that every first visit
// downloads; those tools are a third of it and no boot uses them.
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DIST_FILES, GUEST_SHARE } from '../../src/vm/assets.ts';
import { indexFolder } from '../../src/vm/node-share.ts';
import type { V86FsEntry } from '../../src/vm/v86-types.ts';
import { cached, repoRoot, type HashInput } from '../lib/cache.ts';
import { ensureHostTools } from '../lib/apt.ts';
import { BuildError, log } from '../lib/progress.ts';
import { buildBusybox } from './busybox.ts';
import { writeCpio, type CpioEntry } from './cpio.ts';
import { resolveLibraries, type RootPackage } from './libdeps.ts';
import { resolveInTree, walkTree } from './tree.ts';

export const ROOTFS_OVERLAY = join(repoRoot, 'vm-images', 'rootfs');
/** The runtime engineer's static i386 multi-call binary, when `npm run build:runtime` has made it. */
export const RUNTIME_BINARY = join(repoRoot, 'vm-images', 'dist', 'runtime', 'whalebone');
export const RUNTIME_NAMES = ['docker', 'dockerd', 'containerd-shim', 'runc', 'docker-compose', 'docker-init'];

/** Where the guest sees the tools folder. */
export const TOOLS_MOUNT = `${GUEST_SHARE}/${DIST_FILES.tools}`;

const ROOTS: RootPackage[] = [
  {
    name: 'iproute2',
    // ip (veth, bridge, netns) and bridge (fdb, vlan); ss/tc/devlink... would pull in Kerberos and more.
    keep: (p) => ['bin/ip', 'sbin/ip', 'sbin/bridge'].includes(p) || (p.startsWith('etc/iproute2/') && !p.endsWith('README')),
  },
  {
    name: 'util-linux',
    // The namespace tools of the tutorials. busybox's unshare -f crashes its parent (it returns from
    // a vfork'd function), and it has no lsns or findmnt.
    keep: (p) => UTIL_LINUX.includes(p),
  },
];
// findmnt would add libudev; /proc/self/mountinfo and mount show the same.
const UTIL_LINUX = ['usr/bin/unshare', 'usr/bin/nsenter', 'usr/bin/lsns', 'bin/mountpoint', 'usr/bin/setpriv'];

// Part of the cache key: describe here anything below that changes the output.
const RECIPE = 'roots iproute2[ip,bridge,etc] util-linux[unshare,nsenter,lsns,mountpoint,setpriv] as tools folder + links; static busybox + links; overlay; runtime links; /init -> usr/bin/whalebone; var/run; tools index hash; dev console,null; gzip -9; v2';

const BASE_DIRS: Record<string, number> = {
  bin: 0o755, sbin: 0o755, etc: 0o755, 'usr/bin': 0o755, 'usr/sbin': 0o755, 'usr/local/bin': 0o755,
  proc: 0o555, sys: 0o555, dev: 0o755, run: 0o755, tmp: 0o1777, root: 0o700, home: 0o755,
  mnt: 0o755, 'mnt/host': 0o755, var: 0o755, 'var/log': 0o755, 'var/lib': 0o755, 'var/tmp': 0o1777,
  newroot: 0o755,
};

// Git keeps only the executable bit; these files need tighter modes in the guest.
const MODES: Record<string, number> = { 'etc/shadow': 0o640 };

const DEVICES: CpioEntry[] = [
  { path: 'dev/console', type: 'char', mode: 0o600, major: 5, minor: 1 },
  { path: 'dev/null', type: 'char', mode: 0o666, major: 1, minor: 3 },
];

function lexists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function copyInto(fromRoot: string, rel: string, toRoot: string): void {
  const to = join(toRoot, rel);
  mkdirSync(dirname(to), { recursive: true });
  rmSync(to, { force: true });
  cpSync(join(fromRoot, rel), to, { verbatimSymlinks: true, preserveTimestamps: false });
}

/** Links every busybox applet that no real binary provides, at the path busybox itself names. */
function linkApplets(tree: string, applets: string[]): number {
  let n = 0;
  for (const applet of applets) {
    const name = applet.split('/').pop() as string;
    if (['bin', 'sbin', 'usr/bin', 'usr/sbin'].some((d) => lexists(join(tree, d, name)))) continue;
    mkdirSync(dirname(join(tree, applet)), { recursive: true });
    symlinkSync('/bin/busybox', join(tree, applet));
    n++;
  }
  return n;
}

function installRuntime(tree: string): void {
  const bin = join(tree, 'usr/bin/whalebone');
  cpSync(RUNTIME_BINARY, bin);
  chmodSync(bin, 0o755);
  for (const name of RUNTIME_NAMES) {
    rmSync(join(tree, 'usr/bin', name), { force: true });
    symlinkSync('whalebone', join(tree, 'usr/bin', name));
  }
  // stage 1 of the boot is the binary's C entry point when the kernel runs it as /init (main.c)
  rmSync(join(tree, 'init'), { force: true });
  symlinkSync('usr/bin/whalebone', join(tree, 'init'));
}

/**
 * Moves each regular file of the tools' packages to the tools folder (tree/TOOLS_MOUNT, so that
 * links resolve in the tree as in the guest) and leaves a link to it at its path. Their own links
 * (/lib/ld-linux.so.2 -> i386-linux-gnu/ld-linux.so.2) stay as they are. Returns the files moved.
 */
function splitTools(tree: string, files: string[]): number {
  const tools = join(tree, TOOLS_MOUNT);
  let n = 0;
  for (const p of files) {
    if (!lstatSync(join(tree, p)).isFile()) continue;
    mkdirSync(dirname(join(tools, p)), { recursive: true });
    renameSync(join(tree, p), join(tools, p));
    symlinkSync(`${TOOLS_MOUNT}/${p}`, join(tree, p));
    n++;
  }
  return n;
}

/** The folder's index as the share serves it, owned by root whoever ran the build. */
function toolsIndex(dir: string): string {
  const index = indexFolder(dir);
  const root = (e: V86FsEntry): V86FsEntry => {
    const [name, size, mtime, mode, , , target] = e;
    return [name, size, mtime, mode, 0, 0, Array.isArray(target) ? target.map(root) : target];
  };
  return JSON.stringify({ ...index, fsroot: index.fsroot.map(root) });
}

/** Fails on links that dangle inside the tree: they would dangle in the guest too. */
function checkTree(tree: string, paths: string[]): void {
  const dangling = paths.filter((p) => lstatSync(join(tree, p)).isSymbolicLink() && !resolveInTree(tree, p));
  if (dangling.length > 0) throw new BuildError(`dangling symlinks in the guest tree: ${dangling.map((p) => `/${p} -> ${readlinkSync(join(tree, p))}`).join(', ')}`);
  for (const must of ['init', 'bin/sh', 'sbin/init', 'sbin/switch_root', 'bin/ip', 'usr/bin/unshare', 'lib/ld-linux.so.2'])
    if (!resolveInTree(tree, must)) throw new BuildError(`the guest tree has no /${must}`);
  if ((statSync(join(tree, 'init')).mode & 0o111) === 0) throw new BuildError('vm-images/rootfs/init is not executable');
}

function cpioEntries(tree: string, paths: string[]): CpioEntry[] {
  const entries: CpioEntry[] = [{ path: '.', type: 'dir', mode: 0o755 }]; // mkdtemp made the staging root 0700
  for (const p of paths) {
    const full = join(tree, p);
    const st = lstatSync(full);
    if (st.isSymbolicLink()) entries.push({ path: p, type: 'symlink', target: readlinkSync(full) });
    else if (st.isDirectory()) entries.push({ path: p, type: 'dir', mode: BASE_DIRS[p] ?? st.mode & 0o7777 });
    else if (st.isFile()) entries.push({ path: p, type: 'file', mode: MODES[p] ?? st.mode & 0o7777, data: readFileSync(full) });
    else throw new BuildError(`unsupported file type in the guest tree: /${p}`);
  }
  return [...entries, ...DEVICES.filter((d) => !paths.includes(d.path))];
}

export interface RootfsOutputs {
  dir: string;
  initramfs: string;
  /** The tools folder and its 9p index (src/vm/share.ts). */
  tools: string;
  toolsIndex: string;
}

export async function buildRootfs(scope: string): Promise<RootfsOutputs> {
  await ensureHostTools(scope, { readelf: 'binutils', 'dpkg-deb': 'dpkg' });
  log(scope, 'resolving packages and shared libraries');
  const res = await resolveLibraries(scope, ROOTS);
  const busybox = await buildBusybox(scope);
  // the guest's boot (inittab's sysinit) and the VM driver's control agent are roles of it
  if (!existsSync(RUNTIME_BINARY)) throw new BuildError('vm-images/dist/runtime/whalebone is missing: the guest boots with it; run npm run build:runtime first');
  const inputs: HashInput[] = [
    RECIPE,
    ...res.packages.map((p) => `${p.name}=${p.pin.version}@${p.pin.sha256}`),
    { file: busybox.binary },
    { dir: ROOTFS_OVERLAY },
    { file: RUNTIME_BINARY },
  ];
  const dir = await cached(scope, {
    name: 'rootfs',
    inputs,
    build: async (out) => {
      const tree = join(out, 'tree');
      mkdirSync(tree);
      for (const f of res.files) copyInto(f.pkg.tree, f.path, tree);
      const moved = splitTools(tree, res.files.map((f) => f.path));
      for (const [d, mode] of Object.entries(BASE_DIRS)) {
        mkdirSync(join(tree, d), { recursive: true });
        chmodSync(join(tree, d), mode);
      }
      symlinkSync('../run', join(tree, 'var/run')); // made here: hashInputs() cannot hash symlinks in the overlay
      cpSync(busybox.binary, join(tree, 'bin/busybox'));
      chmodSync(join(tree, 'bin/busybox'), 0o755);
      log(scope, `linked ${linkApplets(tree, busybox.applets)} busybox applets`);
      cpSync(ROOTFS_OVERLAY, tree, { recursive: true, verbatimSymlinks: true, force: true });
      installRuntime(tree);
      checkTree(tree, walkTree(tree));
      const tools = join(out, DIST_FILES.tools);
      renameSync(join(tree, TOOLS_MOUNT), tools);
      const index = toolsIndex(tools);
      writeFileSync(join(out, DIST_FILES.toolsIndex), index);
      // The links in the initramfs read the same whatever the tools hold: this makes the
      // initramfs, and so the snapshots keyed by it (whose 9p state holds the folder's inodes), change with them.
      writeFileSync(join(tree, 'etc/whalebone/tools.sha256'), createHash('sha256').update(index).digest('hex') + '\n');
      const paths = walkTree(tree);
      const cpio = writeCpio(cpioEntries(tree, paths));
      const gz = gzipSync(cpio, { level: 9 });
      writeFileSync(join(out, 'initramfs.cpio.gz'), gz);
      writeFileSync(join(out, 'packages.txt'), res.packages.map((p) => `${p.name} ${p.pin.version}`).join('\n') + '\n');
      log(scope, `initramfs: ${paths.length} entries, ${(cpio.length / 1048576).toFixed(2)} MiB, gzip ${(gz.length / 1048576).toFixed(2)} MiB; tools folder: ${moved} files, ${(JSON.parse(index).size / 1048576).toFixed(2)} MiB`);
      rmSync(tree, { recursive: true, force: true });
    },
  });
  return { dir, initramfs: join(dir, 'initramfs.cpio.gz'), tools: join(dir, DIST_FILES.tools), toolsIndex: join(dir, DIST_FILES.toolsIndex) };
}
