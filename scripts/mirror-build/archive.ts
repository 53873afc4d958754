// Resolves the curated set's closure, downloads the pinned .debs and writes a signed archive:
//   dists/<suite>/{Release,InRelease,Release.gpg,main/binary-i386/Packages{,.gz}}, pool/main/...
import { createHash } from 'node:crypto';
import { existsSync, linkSync, copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { aptCache, aptGet } from '../lib/apt.ts';
import { cacheDir } from '../lib/cache.ts';
import { run } from '../lib/exec.ts';
import { BuildError, log } from '../lib/progress.ts';
import { controlField, packagesIndex, parseRecursiveDepends, poolPath, releaseFile, type DebFile, type IndexFile, type LockEntry } from './index.ts';
import { KEYRING_NAME, mirrorPublicKey, signRelease, SIGNING_DATE } from './key.ts';

/** The suites the debian image's sources.list names (scripts/images-build/debian.ts SUITES). */
// bookworm-security too, empty: a learner who adds Debian's usual security line gets no 404.
export const MIRROR_SUITES = ['bookworm', 'bookworm-updates', 'bookworm-security'];
/** The suite that carries the packages; the others get empty, signed indexes so apt-get update passes. */
export const PACKAGES_SUITE = 'bookworm';

const DEPENDS_ONLY = ['--recurse', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances'];

/**
 * The closure of `names` over Depends and Pre-Depends (every alternative and every provider of a
 * virtual package, so whatever apt picks is there), minus the packages the debian image already
 * has at the same version.
 */
export async function resolveClosure(scope: string, names: string[], base: { name: string; version: string }[]): Promise<LockEntry[]> {
  const closure = parseRecursiveDepends(await aptCache(scope, ['depends', ...DEPENDS_ONLY, ...names.map((n) => `${n}:i386`)]));
  const shown = await aptCache(scope, ['show', '--no-all-versions', ...closure.map((n) => `${n}:i386`)]);
  const baseVersion = new Map(base.map((b) => [b.name, b.version]));
  const out: LockEntry[] = [];
  for (const stanza of shown.split(/\n\n+/)) {
    const name = controlField(stanza, 'Package');
    const version = controlField(stanza, 'Version');
    const arch = controlField(stanza, 'Architecture');
    const sha256 = controlField(stanza, 'SHA256');
    if (!name || !version || !arch || !sha256) continue;
    if (baseVersion.get(name) === version) continue;
    if (!out.some((e) => e.name === name)) out.push({ name, version, arch, sha256 });
  }
  for (const n of names) if (!out.some((e) => e.name === n) && !baseVersion.has(n)) throw new BuildError(`${n}: no such package in bookworm i386`);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

const debName = (e: LockEntry) => `${e.name}_${e.version.replace(/^\d+:/, '')}_${e.arch}.deb`;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Every locked .deb in the shared deb cache (downloading the missing ones at once), checked. */
export async function fetchLocked(scope: string, entries: LockEntry[]): Promise<Map<string, string>> {
  const dir = cacheDir('debs');
  const missing = entries.filter((e) => !existsSync(join(dir, debName(e))));
  if (missing.length) {
    const tmp = join(dir, `.mirror-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    log(scope, `downloading ${missing.length} packages`);
    try {
      await aptGet(scope, ['download', ...missing.map((e) => `${e.name}:i386=${e.version}`)], tmp);
    } catch (e) {
      throw new BuildError(`cannot download the mirror's packages (${(e as Error).message.split('\n').slice(-3).join(' ')}). If Debian moved on, run: npm run build:mirror -- --update-lock`);
    }
    for (const f of readdirSync(tmp)) {
      const fields = (await run('dpkg-deb', ['-f', join(tmp, f), 'Package', 'Version', 'Architecture'])).split('\n');
      const get = (k: string) => fields.find((l) => l.startsWith(`${k}: `))?.slice(k.length + 2).trim() ?? '';
      renameSync(join(tmp, f), join(dir, debName({ name: get('Package'), version: get('Version'), arch: get('Architecture'), sha256: '' })));
    }
    rmSync(tmp, { recursive: true, force: true });
  }
  const files = new Map<string, string>();
  for (const e of entries) {
    const file = join(dir, debName(e));
    if (!existsSync(file)) throw new BuildError(`apt-get download gave no ${debName(e)}`);
    const sum = sha256(readFileSync(file));
    if (sum !== e.sha256) {
      rmSync(file);
      throw new BuildError(`checksum mismatch for ${e.name} ${e.version}: expected ${e.sha256}, got ${sum}`);
    }
    files.set(e.name, file);
  }
  return files;
}

function place(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/** Writes the archive into `root` from the checked .debs and signs every suite's Release. */
export async function writeArchive(scope: string, root: string, debs: Map<string, string>): Promise<void> {
  const entries: DebFile[] = [];
  for (const [, file] of [...debs].sort(([a], [b]) => a.localeCompare(b))) {
    const control = await run('dpkg-deb', ['-f', file]);
    const pkg = controlField(control, 'Package') ?? '';
    const source = (controlField(control, 'Source') ?? pkg).split(' ')[0] ?? pkg;
    const filename = poolPath(source, file.split('/').pop() ?? '');
    const data = readFileSync(file);
    place(file, join(root, filename));
    entries.push({ control, filename, size: statSync(file).size, md5: createHash('md5').update(data).digest('hex'), sha256: sha256(data) });
  }
  for (const suite of MIRROR_SUITES) {
    const dir = join(root, 'dists', suite);
    const text = suite === PACKAGES_SUITE ? packagesIndex(entries) : '';
    const plain = Buffer.from(text);
    // mtime 0 and no name: the same Packages always gzips to the same bytes.
    const files: IndexFile[] = [
      { path: 'main/binary-i386/Packages', data: plain },
      { path: 'main/binary-i386/Packages.gz', data: gzipSync(plain, { level: 9 }) },
    ];
    for (const f of files) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.data);
    }
    writeFileSync(join(dir, 'Release'), releaseFile({ suite, date: SIGNING_DATE, architectures: ['i386'], components: ['main'] }, files));
    await signRelease(scope, join(dir, 'Release'), dir);
  }
  // The public key, for whoever wants to check the archive by hand (the debian image has it already).
  copyFileSync(await mirrorPublicKey(scope), join(root, KEYRING_NAME));
  log(scope, `mirror: ${entries.length} packages in ${PACKAGES_SUITE}; ${MIRROR_SUITES.filter((s) => s !== PACKAGES_SUITE).join(', ')} empty`);
}
