// npm run build:mirror [-- --update-lock]
// Builds the offline Debian mirror (vm-images/mirror/packages.txt and its dependency closure,
// pinned in mirror.lock) as a signed archive into the cache, keyed by a hash of its inputs, and
// installs it as vm-images/dist/mirror. The guest serves it as deb.debian.org (src/guest/mirror).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureHostTools } from './lib/apt.ts';
import { cached, distDir, repoRoot } from './lib/cache.ts';
import { run } from './lib/exec.ts';
import { BuildError, log, runMain, totalElapsed } from './lib/progress.ts';
import { writeFolderIndex } from '../src/vm/node-share.ts';
import { DIST_FILES } from '../src/vm/assets.ts';
import { readLock } from './images-build/locks.ts';
import { fetchLocked, resolveClosure, writeArchive } from './mirror-build/archive.ts';
import { formatLock, parseLock, parsePackageList } from './mirror-build/index.ts';
import { mirrorPublicKey } from './mirror-build/key.ts';

const SCOPE = 'mirror';
const USAGE = 'usage: npm run build:mirror [-- --update-lock]';
const DIR = join(repoRoot, 'vm-images', 'mirror');
const LIST = join(DIR, 'packages.txt');
const LOCK = join(DIR, 'mirror.lock');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  for (const a of args) if (a !== '--update-lock') throw new BuildError(`unknown argument ${a}\n${USAGE}`);
  const listText = readFileSync(LIST, 'utf8');
  const names = parsePackageList(listText, 'vm-images/mirror/packages.txt');
  const listHash = createHash('sha256').update(listText).digest('hex');
  await ensureHostTools(SCOPE, { 'dpkg-deb': 'dpkg', gpg: 'gnupg', gpgconf: 'gnupg' });
  const key = await mirrorPublicKey(SCOPE);

  if (args.includes('--update-lock')) {
    const entries = await resolveClosure(SCOPE, names, readLock('debian').packages);
    writeFileSync(LOCK, formatLock(listHash, entries));
    log(SCOPE, `wrote vm-images/mirror/mirror.lock (${entries.length} packages)`);
  }
  if (!existsSync(LOCK)) throw new BuildError(`no vm-images/mirror/mirror.lock: run npm run build:mirror -- --update-lock`);
  const lock = parseLock(readFileSync(LOCK, 'utf8'), 'vm-images/mirror/mirror.lock');
  if (lock.listHash !== listHash)
    throw new BuildError('vm-images/mirror/packages.txt changed since mirror.lock was made: run npm run build:mirror -- --update-lock and commit mirror.lock');

  const result = await cached(SCOPE, {
    name: 'mirror',
    inputs: ['mirror-v1', { file: LOCK }, { file: key }, { dir: join(repoRoot, 'scripts', 'mirror-build') }],
    build: async (out) => {
      const debs = await fetchLocked(SCOPE, lock.entries);
      await writeArchive(SCOPE, join(out, 'mirror'), debs);
    },
  });

  // Install into vm-images/dist/mirror unless that copy is already this build.
  const stampText = `${result.split('/').pop() ?? ''} ${readFileSync(join(result, '.complete'), 'utf8').trim()}`;
  const target = join(distDir(), 'mirror');
  const stamp = join(target, '.build-key');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8').trim() !== stampText) {
    const tmp = join(distDir(), `.mirror-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    await run('cp', ['-a', join(result, 'mirror'), tmp]);
    writeFileSync(join(tmp, '.build-key'), stampText + '\n');
    rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
  }
  // The 9p index the VM driver attaches the folder with (/mnt/host/mirror), as for the registry.
  const index = writeFolderIndex(target, join(distDir(), DIST_FILES.mirrorIndex));
  log(SCOPE, `vm-images/dist/${DIST_FILES.mirrorIndex}: ${index.fsroot.length} entries`);
  const size = (await run('du', ['-sh', '--apparent-size', target])).split('\t')[0];
  log(SCOPE, `mirror ready in ${target} (${lock.entries.length} packages, ${size}) after ${totalElapsed()}`);
}

runMain(SCOPE, main);
