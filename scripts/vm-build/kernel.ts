// Stage 1: the guest kernel. Debian's linux-source-6.1 tarball, `tinyconfig` plus our fragment
// (vm-images/kernel.config), everything built in, cross-compiled for i386.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, copyFileSync, rmSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cached, cacheDir, repoRoot } from '../lib/cache.ts';
import { ensureHostTools, extractDeb, fetchDeb, readPins } from '../lib/apt.ts';
import { run } from '../lib/exec.ts';
import { BuildError, log } from '../lib/progress.ts';
import { describeDropped, droppedOptions, parseKconfig } from './kconfig.ts';
import { withTicker } from './ticker.ts';
import { withLock } from './lock.ts';

export const KERNEL_PACKAGE = 'linux-source-6.1';
export const KERNEL_FRAGMENT = join(repoRoot, 'vm-images', 'kernel.config');
const CROSS = 'i686-linux-gnu-';
const MAX_BZIMAGE = 3 * 1024 * 1024;

// Part of the cache key: change it when the commands below change what they produce.
const RECIPE = 'tinyconfig + merge_config -m + olddefconfig; make -j2 bzImage; KBUILD_BUILD_USER/HOST=whalebone';

const HOST_TOOLS: Record<string, string> = {
  [`${CROSS}gcc`]: 'gcc-i686-linux-gnu',
  [`${CROSS}ld`]: 'binutils-i686-linux-gnu',
  gcc: 'gcc', // host programs of kbuild (fixdep, conf)
  make: 'make',
  flex: 'flex',
  bison: 'bison',
  bc: 'bc',
  perl: 'perl-base',
  xz: 'xz-utils',
  lzop: 'lzop', // CONFIG_KERNEL_LZO compresses the bzImage with it
  gzip: 'gzip',
  tar: 'tar',
  'dpkg-deb': 'dpkg',
};

export interface KernelOutputs {
  dir: string;
  bzImage: string;
  config: string;
  release: string;
}

async function compilerVersion(): Promise<string> {
  return (await run(`${CROSS}gcc`, ['--version'])).split('\n')[0] ?? '';
}

function makeEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ARCH: 'i386',
    CROSS_COMPILE: CROSS,
    KBUILD_BUILD_USER: 'whalebone',
    KBUILD_BUILD_HOST: 'whalebone',
  };
}

/** One unpacked source tree per pinned version, kept between builds so a config change recompiles little. */
async function sourceTree(scope: string, version: string): Promise<string> {
  const work = cacheDir('work', `linux-${version}`);
  const tree = join(work, 'linux-source-6.1');
  if (existsSync(join(work, '.unpacked'))) return tree;
  rmSync(work, { recursive: true, force: true });
  const deb = await fetchDeb(scope, KERNEL_PACKAGE);
  const debDir = join(cacheDir('work'), `deb-${KERNEL_PACKAGE}-${process.pid}`);
  log(scope, `unpacking ${KERNEL_PACKAGE} ${version}`);
  await extractDeb(deb, debDir);
  const tarballs = readdirSync(join(debDir, 'usr/src')).filter((n) => n.endsWith('.tar.xz'));
  if (tarballs.length !== 1 || !tarballs[0]) throw new BuildError(`expected one kernel tarball in ${KERNEL_PACKAGE}, found ${tarballs.join(', ') || 'none'}`);
  mkdirSync(work, { recursive: true });
  await run('tar', ['-xf', join(debDir, 'usr/src', tarballs[0]), '-C', work]);
  rmSync(debDir, { recursive: true, force: true });
  if (!existsSync(join(tree, 'Makefile'))) throw new BuildError(`the kernel tarball did not unpack to ${tree}`);
  writeFileSync(join(work, '.unpacked'), version + '\n');
  return tree;
}

async function configure(scope: string, tree: string): Promise<void> {
  const env = makeEnv();
  log(scope, 'configuring: tinyconfig + vm-images/kernel.config');
  await run('make', ['tinyconfig'], { cwd: tree, env });
  await run('sh', ['scripts/kconfig/merge_config.sh', '-m', '.config', KERNEL_FRAGMENT], { cwd: tree, env });
  await run('make', ['olddefconfig'], { cwd: tree, env });
  checkConfig(tree);
}

/** Fails naming every option of the fragment that the tree's .config lost, and any module. */
function checkConfig(tree: string): void {
  const fragment = parseKconfig(readFileSync(KERNEL_FRAGMENT, 'utf8'), 'vm-images/kernel.config');
  const final = parseKconfig(readFileSync(join(tree, '.config'), 'utf8'), '.config');
  const dropped = droppedOptions(fragment, final);
  if (dropped.length > 0)
    throw new BuildError(
      `Kconfig dropped ${dropped.length} option(s) of vm-images/kernel.config (unmet dependencies?):\n  ` +
        dropped.map(describeDropped).join('\n  '),
    );
  const modular = [...final].filter(([, v]) => v === 'm').map(([k]) => k);
  if (modular.length > 0) throw new BuildError(`options built as modules, expected built in: ${modular.join(', ')}`);
}

export async function buildKernel(scope: string): Promise<KernelOutputs> {
  await ensureHostTools(scope, HOST_TOOLS);
  const pin = readPins().debs[KERNEL_PACKAGE];
  if (!pin) throw new BuildError(`${KERNEL_PACKAGE} is not pinned: run \`npm run pin -- deb ${KERNEL_PACKAGE}\``);
  const compiler = await compilerVersion();
  // One build at a time per machine: the source tree is shared; a waiting build then hits the cache.
  const dir = await withLock(scope, join(cacheDir('work'), 'kernel.lock'), () => cached(scope, {
    name: 'kernel',
    inputs: [JSON.stringify(pin), { file: KERNEL_FRAGMENT }, compiler, RECIPE],
    build: async (out) => {
      const tree = await sourceTree(scope, pin.version);
      await configure(scope, tree);
      log(scope, 'compiling bzImage with make -j2 (about 5 minutes from scratch)');
      const started = Date.now();
      await withTicker(scope, 'make bzImage', run('make', ['-j2', 'bzImage'], { cwd: tree, env: makeEnv() }));
      log(scope, `compiled in ${Math.round((Date.now() - started) / 1000)} s`);
      checkConfig(tree); // the config the image was really built from
      const release = (await run('make', ['-s', 'kernelrelease'], { cwd: tree, env: makeEnv() })).trim();
      copyFileSync(join(tree, 'arch/x86/boot/bzImage'), join(out, 'bzImage'));
      copyFileSync(join(tree, '.config'), join(out, 'kernel.config'));
      writeFileSync(join(out, 'kernel.release'), release + '\n');
    },
  }));
  const bzImage = join(dir, 'bzImage');
  const size = statSync(bzImage).size;
  log(scope, `bzImage ${(size / 1048576).toFixed(2)} MiB`);
  if (size > MAX_BZIMAGE) throw new BuildError(`bzImage is ${size} bytes, over the 3 MiB budget: trim vm-images/kernel.config`);
  return { dir, bzImage, config: join(dir, 'kernel.config'), release: readFileSync(join(dir, 'kernel.release'), 'utf8').trim() };
}
