// Debian images: a minbase bookworm i386 root made by mmdebstrap (debian:bookworm-slim), and
// images that add packages to it with apt-get inside a chroot, committed as a diff layer.
import { chmodSync, existsSync, symlinkSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../lib/exec.ts';
import { BuildError, log } from '../lib/progress.ts';
import { KEYRING_NAME } from '../mirror-build/key.ts';
import { aptPreferences, lockDifferences, REFRESH_HINT, type LockedPackage } from './locks.ts';

export const MIRROR = 'http://deb.debian.org/debian';
// bookworm-security is left out on purpose: its i386 index has failed apt's checks while mirrors sync.
export const SUITES = ['bookworm', 'bookworm-updates'];

/** Keeps images slim: no manuals, translations or docs (licences stay), as Docker's slim images. */
export const DPKG_EXCLUDES = [
  'path-exclude=/usr/share/man/*',
  'path-exclude=/usr/share/locale/*',
  'path-include=/usr/share/locale/locale.alias',
  'path-exclude=/usr/share/doc/*',
  'path-include=/usr/share/doc/*/copyright',
  'path-exclude=/usr/share/info/*',
  'path-exclude=/usr/share/lintian/*',
  'path-exclude=/usr/share/linda/*',
];

const PREFS = 'etc/apt/preferences.d/whalebone-lock';

/** Files that record when or where the build ran rather than what it installed. */
const VOLATILE = [
  'var/log/dpkg.log', 'var/log/alternatives.log', 'var/log/apt/history.log', 'var/log/apt/term.log',
  'var/log/apt/eipp.log.xz', 'var/cache/ldconfig/aux-cache', 'var/lib/dbus/machine-id',
];

/** Refuses to go on when something is mounted under `dir`: a recursive delete would reach it. */
export function assertNoMounts(dir: string): void {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '');
  const inside = mounts.filter((m) => m === dir || m.startsWith(prefix));
  if (inside.length) throw new BuildError(`refusing to delete ${dir}: still mounted there: ${inside.join(', ')} (unmount them first)`);
}

export async function installedPackages(tree: string): Promise<LockedPackage[]> {
  const out = await run('dpkg-query', [`--admindir=${join(tree, 'var/lib/dpkg')}`, '-W', '-f', '${db:Status-Abbrev}|${Package}|${Version}|${Architecture}\n']);
  const pkgs: LockedPackage[] = [];
  for (const line of out.split('\n')) {
    if (!line.trim()) continue;
    const [status, name, version, arch] = line.split('|');
    if (!name || !version || !arch) continue;
    if (status?.trim() !== 'ii') throw new BuildError(`package ${name} is not fully installed (dpkg status "${status?.trim()}")`);
    pkgs.push({ name, version, arch });
  }
  return pkgs.sort((a, b) => a.name.localeCompare(b.name));
}

async function verifyAgainstLock(image: string, tree: string, lock: LockedPackage[] | null): Promise<LockedPackage[]> {
  const got = await installedPackages(tree);
  if (lock) {
    const diff = lockDifferences(lock, got);
    if (diff.length)
      throw new BuildError(
        `the ${image} image does not match vm-images/images/${image}.lock; Debian has probably moved on ` +
          `(a point release or an update replaced a locked version):\n  ${diff.slice(0, 15).join('\n  ')}` +
          `${diff.length > 15 ? `\n  ... ${diff.length - 15} more` : ''}\nTo accept the archive's current versions, ${REFRESH_HINT}.`,
      );
  }
  return got;
}

/** What a finished root should not carry: device nodes (the runtime makes /dev), host identity, logs. */
function tidyRoot(tree: string): void {
  const dev = join(tree, 'dev');
  for (const n of readdirSync(dev)) rmSync(join(dev, n), { recursive: true, force: true });
  for (const f of ['etc/hostname', 'etc/resolv.conf']) {
    rmSync(join(tree, f), { force: true });
    writeFileSync(join(tree, f), '');
    chmodSync(join(tree, f), 0o644);
  }
  for (const f of VOLATILE) rmSync(join(tree, f), { force: true });
  rmSync(join(tree, PREFS), { force: true });
  for (const d of ['var/lib/apt/lists', 'var/cache/apt/archives', 'tmp', 'run'])
    for (const n of existsSync(join(tree, d)) ? readdirSync(join(tree, d)) : [])
      if (!['lock', 'partial'].includes(n)) rmSync(join(tree, d, n), { recursive: true, force: true });
  for (const n of existsSync(join(tree, 'var/cache/apt')) ? readdirSync(join(tree, 'var/cache/apt')) : [])
    if (n.endsWith('.bin')) rmSync(join(tree, 'var/cache/apt', n), { force: true });
}

export function mmdebstrapCommand(tree: string, prefsFile: string | null): string[] {
  return [
    '--architectures=i386', '--variant=minbase', '--mode=root', '--format=directory',
    // Without this hook mmdebstrap installs usrmerge, which pulls perl in (+41 MiB).
    '--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr',
    ...DPKG_EXCLUDES.map((o) => `--dpkgopt=${o}`),
    '--aptopt=Acquire::Retries "3"',
    ...(prefsFile ? [`--setup-hook=mkdir -p "$1/etc/apt/preferences.d" && cp ${prefsFile} "$1/${PREFS}"`] : []),
    'bookworm', tree,
    ...SUITES.map((s) => `deb ${MIRROR} ${s} main`),
  ];
}

/** Builds the slim base root; with a lock, apt may only choose the locked versions. */
export async function buildDebianBase(scope: string, tree: string, workDir: string, lock: LockedPackage[] | null, epoch: number): Promise<LockedPackage[]> {
  let prefsFile: string | null = null;
  if (lock) {
    prefsFile = join(workDir, 'debian-base.pref');
    writeFileSync(prefsFile, aptPreferences(lock));
  }
  rmSync(tree, { recursive: true, force: true });
  log(scope, 'mmdebstrap bookworm i386 minbase (maintainer scripts run as i386 programs; a few minutes)');
  await run('mmdebstrap', mmdebstrapCommand(tree, prefsFile), { env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch), LC_ALL: 'C.UTF-8' } });
  tidyRoot(tree);
  return verifyAgainstLock('debian', tree, lock);
}

async function chroot(tree: string, args: string[]): Promise<string> {
  return run('chroot', [tree, ...args], {
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C.UTF-8', HOME: '/root' },
  });
}

/**
 * Copies the base root to `tree` and installs `packages` there with the image's own apt, as a
 * Dockerfile's `RUN apt-get install` would, then runs the recipe's `commands` there (sh -e).
 * /proc and /dev are mounted only for the install.
 */
export async function addDebianPackages(scope: string, image: string, baseTree: string, tree: string, packages: string[], lock: LockedPackage[] | null, commands: string[] = []): Promise<LockedPackage[]> {
  assertNoMounts(tree);
  rmSync(tree, { recursive: true, force: true });
  // cp -a keeps owners, modes, hardlinks and capabilities.
  await run('cp', ['-a', baseTree, tree]);
  if (lock) writeFileSync(join(tree, PREFS), aptPreferences(lock));
  writeFileSync(join(tree, 'etc/resolv.conf'), readFileSync('/etc/resolv.conf'));
  // Services must not start during the install.
  const policy = join(tree, 'usr/sbin/policy-rc.d');
  writeFileSync(policy, '#!/bin/sh\nexit 101\n');
  chmodSync(policy, 0o755);
  const mounts: string[] = [];
  try {
    mkdirSync(join(tree, 'proc'), { recursive: true });
    await run('mount', ['-t', 'proc', 'proc', join(tree, 'proc')]);
    mounts.push(join(tree, 'proc'));
    await run('mount', ['--bind', '/dev', join(tree, 'dev')]);
    mounts.push(join(tree, 'dev'));
    log(scope, `${image}: apt-get update in the chroot`);
    await chroot(tree, ['apt-get', '-o', 'Acquire::Retries=3', 'update']);
    const wanted = packages.map((p) => {
      const v = lock?.find((l) => l.name === p)?.version;
      return v ? `${p}=${v}` : p;
    });
    log(scope, `${image}: apt-get install ${wanted.join(' ')}`);
    try {
      await chroot(tree, ['apt-get', 'install', '-y', '--no-install-recommends', ...wanted]);
    } catch (e) {
      if (!lock) throw e;
      throw new BuildError(`apt-get could not install the locked ${wanted.join(' ')} for ${image}; Debian has probably moved on.\nTo accept the archive's current versions, ${REFRESH_HINT}.\n${(e as Error).message}`);
    }
    await chroot(tree, ['apt-get', 'clean']);
    for (const c of commands) {
      log(scope, `${image}: RUN ${c}`);
      try {
        await chroot(tree, ['/bin/sh', '-ec', c]);
      } catch (e) {
        throw new BuildError(`${image}: the recipe's command failed: ${c}\n${(e as Error).message}`);
      }
    }
  } finally {
    for (const m of mounts.reverse()) await run('umount', [m]).catch(() => run('umount', ['-l', m]));
  }
  assertNoMounts(tree);
  rmSync(policy, { force: true });
  tidyRoot(tree);
  return verifyAgainstLock(image, tree, lock);
}

/**
 * Makes apt in the image trust the offline mirror's signing key (scripts/mirror-build/key.ts), so
 * the image's own sources.list works unmodified against the guest's mirror and stays signed.
 */
export function trustMirrorKey(tree: string, keyring: string): void {
  const dir = join(tree, 'etc/apt/trusted.gpg.d');
  mkdirSync(dir, { recursive: true });
  const to = join(dir, KEYRING_NAME);
  writeFileSync(to, readFileSync(keyring));
  chmodSync(to, 0o644);
}
