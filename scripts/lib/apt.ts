// A private apt root (in the cache, never the host's /etc/apt) for Debian's i386 binary packages
// and for source packages from bookworm and trixie. Everything fetched is pinned in
// vm-images/pins.json by version and sha256; apt also checks the signed Release files.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, repoRoot } from './cache.ts';
import { run, have } from './exec.ts';
import { BuildError, log } from './progress.ts';

const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';
const MIRROR = 'http://deb.debian.org/debian';
export const PINS_FILE = join(repoRoot, 'vm-images', 'pins.json');

export interface DebPin { version: string; arch: string; sha256: string; }
export interface SourcePin { version: string; files: Record<string, string>; }
export interface Pins { debs: Record<string, DebPin>; sources: Record<string, SourcePin>; }

export function readPins(): Pins {
  if (!existsSync(PINS_FILE)) return { debs: {}, sources: {} };
  return JSON.parse(readFileSync(PINS_FILE, 'utf8')) as Pins;
}

export function writePins(p: Pins): void {
  const sort = <T>(o: Record<string, T>): Record<string, T> =>
    Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(PINS_FILE, JSON.stringify({ debs: sort(p.debs), sources: sort(p.sources) }, null, 2) + '\n');
}

function aptRoot(): string {
  const root = cacheDir('apt');
  for (const d of ['etc/apt/sources.list.d', 'etc/apt/preferences.d', 'etc/apt/apt.conf.d', 'var/lib/apt/lists/partial', 'var/cache/apt/archives/partial', 'var/lib/dpkg'])
    mkdirSync(join(root, d), { recursive: true });
  if (!existsSync(join(root, 'var/lib/dpkg/status'))) writeFileSync(join(root, 'var/lib/dpkg/status'), '');
  const src = (type: string, suite: string, arch = '') =>
    `${type} [${arch ? `arch=${arch} ` : ''}signed-by=${KEYRING}] ${MIRROR} ${suite} main`;
  writeFileSync(
    join(root, 'etc/apt/sources.list'),
    [
      src('deb', 'bookworm', 'i386'),
      src('deb', 'bookworm-updates', 'i386'),
      src('deb-src', 'bookworm'),
      src('deb-src', 'bookworm-updates'),
      src('deb-src', 'trixie'),
    ].join('\n') + '\n',
  );
  return root;
}

function aptOpts(root: string): string[] {
  return [
    '-o', `Dir=${root}`,
    '-o', `Dir::State::status=${join(root, 'var/lib/dpkg/status')}`,
    '-o', 'APT::Architecture=i386',
    '-o', 'APT::Architectures=i386',
    '-o', 'Debug::NoLocking=1',
    '-o', 'APT::Sandbox::User=root',
    '-o', 'Acquire::Retries=3',
  ];
}

let listsFresh = false;

/** Refreshes the private package lists at most once a day. A broken suite index only warns. */
export async function aptUpdate(scope: string): Promise<void> {
  if (listsFresh) return;
  const root = aptRoot();
  const lists = join(root, 'var/lib/apt/lists');
  const stamp = join(root, 'updated');
  const fresh = existsSync(stamp) && Date.now() - statSync(stamp).mtimeMs < 24 * 3600_000;
  if (!fresh) {
    if (!existsSync(KEYRING)) throw new BuildError(`missing ${KEYRING}: install debian-archive-keyring`);
    log(scope, 'refreshing Debian package lists (bookworm i386, bookworm and trixie sources)');
    try {
      await run('apt-get', [...aptOpts(root), 'update']);
    } catch (e) {
      const have = readdirSync(lists).some((n) => n.endsWith('_Packages'));
      if (!have) throw e;
      log(scope, `warning: apt-get update failed, using the package lists from before: ${(e as Error).message.split('\n')[0]}`);
    }
    writeFileSync(stamp, new Date().toISOString());
  }
  listsFresh = true;
}

export async function aptGet(scope: string, args: string[], cwd?: string): Promise<string> {
  await aptUpdate(scope);
  return run('apt-get', [...aptOpts(aptRoot()), ...args], { cwd });
}

export async function aptCache(scope: string, args: string[]): Promise<string> {
  await aptUpdate(scope);
  return run('apt-cache', [...aptOpts(aptRoot()), ...args]);
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** A package's pin, or a BuildError that says how to pin it. */
export function pinOf<T>(map: Record<string, T>, name: string, kind: 'source' | 'deb'): T {
  const pin = map[name];
  if (!pin) throw new BuildError(`${kind} ${name} is not pinned in vm-images/pins.json: run \`npm run pin -- ${kind === 'source' ? 'src' : 'deb'} ${name}\``);
  return pin;
}

/** Downloads a pinned i386 (or all) .deb into the cache, checks its sha256, returns its path. */
export async function fetchDeb(scope: string, name: string): Promise<string> {
  const pin = pinOf(readPins().debs, name, 'deb');
  const dir = cacheDir('debs');
  const file = join(dir, `${name}_${pin.version.replace(/^\d+:/, '')}_${pin.arch}.deb`);
  if (!existsSync(file)) {
    const tmp = join(dir, `.tmp-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    log(scope, `downloading ${name} ${pin.version}`);
    try {
      await aptGet(scope, ['download', `${name}:${pin.arch === 'all' ? 'i386' : pin.arch}=${pin.version}`], tmp);
    } catch (e) {
      throw new BuildError(`cannot download ${name}=${pin.version} (${(e as Error).message.split('\n')[0]}). If Debian moved on to a newer version, update the pin: npm run pin -- deb ${name}`);
    }
    const got = readdirSync(tmp).find((n) => n.endsWith('.deb'));
    if (!got) throw new BuildError(`apt-get download ${name} produced no .deb`);
    renameSync(join(tmp, got), file);
    rmSync(tmp, { recursive: true, force: true });
  }
  const sum = sha256File(file);
  if (sum !== pin.sha256) {
    rmSync(file);
    throw new BuildError(`checksum mismatch for ${name} ${pin.version}: expected ${pin.sha256}, got ${sum}`);
  }
  return file;
}

/** Extracts a .deb's data into dir (no maintainer scripts run). */
export async function extractDeb(deb: string, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await run('dpkg-deb', ['-x', deb, dir]);
}

/** Downloads a pinned source package, checks each file's sha256, and unpacks it; returns the tree. */
export async function fetchSource(scope: string, name: string): Promise<string> {
  const pin = pinOf(readPins().sources, name, 'source');
  const dir = cacheDir('sources', `${name}_${pin.version}`);
  const files = Object.keys(pin.files);
  if (!files.every((f) => existsSync(join(dir, f)))) {
    log(scope, `downloading source package ${name} ${pin.version}`);
    await aptGet(scope, ['source', '--download-only', `${name}=${pin.version}`], dir);
  }
  for (const f of files) {
    const sum = sha256File(join(dir, f));
    if (sum !== pin.files[f]) {
      rmSync(join(dir, f));
      throw new BuildError(`checksum mismatch for ${f}: expected ${pin.files[f]}, got ${sum}`);
    }
  }
  const tree = join(dir, 'tree');
  if (!existsSync(join(tree, '.unpacked'))) {
    rmSync(tree, { recursive: true, force: true });
    const dsc = files.find((f) => f.endsWith('.dsc'));
    if (!dsc) throw new BuildError(`source pin for ${name} has no .dsc`);
    await ensureHostTools(scope, { 'dpkg-source': 'dpkg-dev' });
    await run('dpkg-source', ['--no-check', '-x', dsc, 'tree'], { cwd: dir });
    writeFileSync(join(tree, '.unpacked'), '');
  }
  return tree;
}

/**
 * Makes sure host build tools exist: installs their Debian packages when running as root,
 * otherwise names them in a clear error. `tools` maps a command (or an absolute path) to its package.
 */
export async function ensureHostTools(scope: string, tools: Record<string, string>): Promise<void> {
  const missing: string[] = [];
  for (const [cmd, pkg] of Object.entries(tools)) {
    const ok = cmd.startsWith('/') ? existsSync(cmd) : await have(cmd);
    if (!ok && !missing.includes(pkg)) missing.push(pkg);
  }
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0)
    throw new BuildError(`missing host tools; install them with: sudo apt-get install ${missing.join(' ')}`);
  log(scope, `installing host tools: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
  } catch {
    await run('apt-get', ['update'], { env }).catch(() => undefined);
    await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
  }
}

/** Resolves the current candidate of a binary package (for `npm run pin`). */
export async function resolveDeb(scope: string, name: string): Promise<DebPin> {
  const out = await aptCache(scope, ['show', '--no-all-versions', `${name}:i386`]);
  const field = (k: string) => out.match(new RegExp(`^${k}: (.+)$`, 'm'))?.[1]?.trim();
  const version = field('Version');
  const sha256 = field('SHA256');
  const arch = field('Architecture');
  if (!version || !sha256 || !arch) throw new BuildError(`apt-cache show ${name} gave no version or checksum`);
  return { version, arch, sha256 };
}

/** Resolves a source package's newest version (optionally one suite's) with its files' sha256. */
export async function resolveSource(scope: string, name: string, version?: string): Promise<SourcePin> {
  const out = await aptCache(scope, ['showsrc', '--only-source', name]);
  const records = out.split(/\n\n+/).filter((r) => r.includes('Version:'));
  const parsed = records.map((r) => {
    const v = r.match(/^Version: (.+)$/m)?.[1]?.trim() ?? '';
    const block = r.match(/^Checksums-Sha256:\n((?: .+\n?)+)/m)?.[1] ?? '';
    const files: Record<string, string> = {};
    for (const line of block.split('\n')) {
      const [sum, , file] = line.trim().split(/\s+/);
      if (sum && file) files[file] = sum;
    }
    return { version: v, files };
  });
  const pick = version ? parsed.find((p) => p.version === version) : parsed[0];
  if (!pick || Object.keys(pick.files).length === 0)
    throw new BuildError(`no source package ${name}${version ? `=${version}` : ''} in bookworm or trixie`);
  return pick;
}
