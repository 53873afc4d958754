// The guest's BusyBox, compiled from Debian's pinned `busybox` source package as a static i386
// binary on musl. Why: the initramfs lives in the guest's RAM, so every byte of it is in the boot
// snapshot each first visit downloads. Debian's busybox is dynamic and would keep glibc in RAM;
// its glibc busybox-static compresses to 0.96 MB. This one starts from Debian's own config for
// the dynamic package (the learner's shell behaves as before), leaves out what no container
// tutorial reaches for (OVERRIDES), and compresses to about a third of a megabyte with zstd -19.
import { chmodSync, cpSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cached, cacheDir } from '../lib/cache.ts';
import { ensureHostTools, extractDeb, fetchDeb, fetchSource, readPins } from '../lib/apt.ts';
import { run } from '../lib/exec.ts';
import { BuildError, log } from '../lib/progress.ts';
import { ARCH_FLAGS, CC, toolchain, type Toolchain } from '../runtime-build/toolchain.ts';
import { describeDropped, droppedOptions, parseKconfig, type KconfigOptions } from './kconfig.ts';
import { withTicker } from './ticker.ts';

const CROSS = 'i686-linux-gnu-';
const HEADERS_PACKAGE = 'linux-libc-dev';

// Part of the cache key: change it when the commands below change what they produce.
const RECIPE = "debian/config/pkg/deb + OVERRIDES; yes '' | make oldconfig; make -j2 busybox_unstripped through ./cc; strip -s -R .comment; v1";

/** Debian's i686 baseline, placed after BusyBox's own flags (its arch Makefile asks for i486). */
const COMPILE_TAIL = ['-march=i686'];
/** Debian's gcc makes PIE by default; a static binary gains nothing from it. No separate code
 * segment, relro or build id: each costs page padding or bytes in RAM and guards nothing here. */
const LINK_FLAGS = ['-no-pie', '-Wl,-z,noseparate-code', '-Wl,-z,norelro', '-Wl,--build-id=none'];

/**
 * Changes to Debian's config for its dynamic `busybox` package (debian/config/pkg/deb), in
 * kconfig syntax. Each must survive `make oldconfig`: the build fails naming any that does not.
 */
export const OVERRIDES = `
CONFIG_STATIC=y
# A real program on PATH must win over the applet of its name: iproute2's ip makes veth pairs,
# busybox's cannot (Debian's busybox-static, built with these two on, ran its own applets).
# CONFIG_FEATURE_PREFER_APPLETS is not set
# CONFIG_FEATURE_SH_STANDALONE is not set
# musl has no GNU regex API (re_search, RE_SYNTAX_*): grep's and vi's uses of it do not compile.
# CONFIG_EXTRA_COMPAT is not set
# CONFIG_FEATURE_VI_REGEX_SEARCH is not set
# Everything in the guest runs as root: no setuid handling or /etc/busybox.conf.
# CONFIG_FEATURE_SUID is not set
# CONFIG_FEATURE_SUID_CONFIG is not set
# CONFIG_FEATURE_SUID_CONFIG_QUIET is not set
# musl's utmp/wtmp are stubs and nobody logs in (inittab starts the shell): who, w and last would print nothing.
# CONFIG_FEATURE_UTMP is not set
# CONFIG_FEATURE_WTMP is not set
# CONFIG_WHO is not set
# CONFIG_W is not set
# CONFIG_LAST is not set
# CONFIG_GETTY is not set
# CONFIG_LOGIN is not set
# CONFIG_MKPASSWD is not set
# CONFIG_NOLOGIN is not set
# CONFIG_CTTYHACK is not set
# CONFIG_ASH_MAIL is not set
# CONFIG_FEATURE_SHOW_SCRIPT is not set
# A learner's history: Debian keeps 15 lines.
CONFIG_FEATURE_EDITING_HISTORY=255
# Archivers of other worlds (tar, gzip, xz, bunzip2, unzip, cpio and ar stay).
# CONFIG_LZOP is not set
# CONFIG_RPM is not set
# CONFIG_RPM2CPIO is not set
# CONFIG_UNLZMA is not set
# CONFIG_LZCAT is not set
# CONFIG_LZMA is not set
# CONFIG_FEATURE_SEAMLESS_LZMA is not set
# CONFIG_FEATURE_UNZIP_LZMA is not set
# CONFIG_BZIP2 is not set
# Console (VT) tools: the guest has only a serial console. clear and reset stay.
# CONFIG_CHVT is not set
# CONFIG_DEALLOCVT is not set
# CONFIG_DUMPKMAP is not set
# CONFIG_LOADFONT is not set
# CONFIG_LOADKMAP is not set
# CONFIG_OPENVT is not set
# CONFIG_SETKEYCODES is not set
# Boot and service machinery the guest does not use (its init is BusyBox init with its own inittab).
# CONFIG_RUN_PARTS is not set
# CONFIG_START_STOP_DAEMON is not set
# CONFIG_NUKE is not set
# CONFIG_RESUME is not set
# CONFIG_RUN_INIT is not set
# CONFIG_LINUXRC is not set
# CONFIG_FEATURE_INIT_SYSLOG is not set
# CONFIG_SVC is not set
# CONFIG_SVOK is not set
# CONFIG_KLOGD is not set
# CONFIG_LOGGER is not set
# CONFIG_LOGREAD is not set
# CONFIG_SYSLOGD is not set
# CONFIG_MDEV is not set
# CONFIG_UEVENT is not set
# The kernel has no modules.
# CONFIG_DEPMOD is not set
# CONFIG_INSMOD is not set
# CONFIG_LSMOD is not set
# CONFIG_MODINFO is not set
# CONFIG_MODPROBE is not set
# CONFIG_RMMOD is not set
# Disks, partitions, swap, clocks and hardware: the guest has none of them (nor a loop driver).
# CONFIG_ACPID is not set
# CONFIG_BLKDISCARD is not set
# CONFIG_BLKID is not set
# CONFIG_BLOCKDEV is not set
# CONFIG_FATATTR is not set
# CONFIG_FDISK is not set
# CONFIG_FINDFS is not set
# CONFIG_FREERAMDISK is not set
# CONFIG_FSFREEZE is not set
# CONFIG_FSTRIM is not set
# CONFIG_HWCLOCK is not set
# CONFIG_LOSETUP is not set
# CONFIG_FEATURE_MOUNT_LOOP is not set
# CONFIG_FEATURE_MOUNT_LABEL is not set
# CONFIG_MKE2FS is not set
# CONFIG_MKDOSFS is not set
# CONFIG_MKSWAP is not set
# CONFIG_SWAPON is not set
# CONFIG_SWAPOFF is not set
# CONFIG_RDATE is not set
# CONFIG_ADJTIMEX is not set
# CONFIG_DEVMEM is not set
# CONFIG_I2CGET is not set
# CONFIG_I2CSET is not set
# CONFIG_I2CDUMP is not set
# CONFIG_I2CDETECT is not set
# CONFIG_I2CTRANSFER is not set
# CONFIG_LSSCSI is not set
# CONFIG_MICROCOM is not set
# CONFIG_MT is not set
# CONFIG_PARTPROBE is not set
# CONFIG_UBIRENAME is not set
# CONFIG_WATCHDOG is not set
# Odd ones out: a calculator language (bc/dc alone are 32 kB), and small curiosities.
# CONFIG_BC is not set
# CONFIG_DC is not set
# CONFIG_CAL is not set
# CONFIG_ASCII is not set
# CONFIG_FACTOR is not set
# CONFIG_MIM is not set
# CONFIG_TS is not set
# CONFIG_SHA3SUM is not set
# Networking: iproute2's ip is in the guest; no DHCP, no Internet (so no HTTPS or FTP), no setup scripts.
# CONFIG_IP is not set
# CONFIG_IPNEIGH is not set
# CONFIG_IFUP is not set
# CONFIG_IFDOWN is not set
# CONFIG_UDHCPC is not set
# CONFIG_UDHCPD is not set
# CONFIG_DUMPLEASES is not set
# CONFIG_ARPING is not set
# CONFIG_IPCALC is not set
# CONFIG_NAMEIF is not set
# CONFIG_VCONFIG is not set
# CONFIG_FEATURE_HWIB is not set
# CONFIG_FTPGET is not set
# CONFIG_FTPPUT is not set
# CONFIG_TFTP is not set
# CONFIG_SSL_CLIENT is not set
# CONFIG_FEATURE_WGET_HTTPS is not set
# CONFIG_FEATURE_WGET_OPENSSL is not set
# CONFIG_FEATURE_WGET_FTP is not set
# httpd serves files and CGI; its auth, proxy, gzip and setuid parts go.
CONFIG_HTTPD=y
# CONFIG_FEATURE_HTTPD_SETUID is not set
# CONFIG_FEATURE_HTTPD_BASIC_AUTH is not set
# CONFIG_FEATURE_HTTPD_AUTH_MD5 is not set
# CONFIG_FEATURE_HTTPD_CONFIG_WITH_SCRIPT_INTERPR is not set
# CONFIG_FEATURE_HTTPD_SET_REMOTE_PORT_TO_ENV is not set
# CONFIG_FEATURE_HTTPD_ERROR_PAGES is not set
# CONFIG_FEATURE_HTTPD_GZIP is not set
# CONFIG_FEATURE_HTTPD_ACL_IP is not set
# CONFIG_FEATURE_HTTPD_PROXY is not set
# Added: Debian leaves these to coreutils, procps and bridge-utils, which the guest does not have.
CONFIG_PGREP=y
CONFIG_PKILL=y
CONFIG_PSTREE=y
CONFIG_LSOF=y
CONFIG_IPCS=y
CONFIG_IPCRM=y
CONFIG_NOHUP=y
CONFIG_NICE=y
CONFIG_PRINTENV=y
CONFIG_INSTALL=y
CONFIG_COMM=y
CONFIG_FEATURE_BRCTL_FANCY=y
CONFIG_FEATURE_BRCTL_SHOW=y
`;

/** Applets the guest must have (its scripts, the VM driver, the lessons): the build fails without any. */
export const REQUIRED_APPLETS = [
  'sh', 'ash', 'init', 'poweroff', 'reboot', 'mount', 'umount', 'ps', 'top', 'kill', 'killall', 'pkill', 'pgrep',
  'grep', 'sed', 'awk', 'find', 'xargs', 'tar', 'gzip', 'wget', 'vi', 'less', 'hostname', 'id', 'chroot',
  'pivot_root', 'switch_root', 'unshare', 'nsenter', 'nc', 'ping', 'ifconfig', 'route', 'sleep', 'env', 'watch',
  'df', 'du', 'free', 'dmesg', 'stat', 'readlink', 'realpath', 'mkfifo', 'stty', 'clear', 'setsid', 'timeout',
];

export interface Busybox {
  /** The stripped static binary (in the cache: do not modify). */
  binary: string;
  /** The Debian source version it was built from. */
  version: string;
  /** `busybox --list-full`: install paths such as "bin/sh" and "usr/bin/wget". */
  applets: string[];
}

/** Debian's config with each override's line replaced (or added at the end when Debian's has none). */
export function applyOverrides(base: string, overrides: KconfigOptions): string {
  const line = (name: string, value: string | null) => (value === null ? `# ${name} is not set` : `${name}=${value}`);
  const left = new Map(overrides);
  const out = base.trimEnd().split('\n').map((l) => {
    const name = /^(?:# )?(CONFIG_[A-Za-z0-9_]+)(?:=| is not set$)/.exec(l)?.[1];
    if (name === undefined || !overrides.has(name)) return l;
    left.delete(name);
    return line(name, overrides.get(name) ?? null);
  });
  return [...out, ...[...left].map(([n, v]) => line(n, v))].join('\n') + '\n';
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * BusyBox's Kbuild calls one CC for compiling, for `ld -r` (its LD is `$(CC) -nostdlib`) and for
 * the final link through scripts/trylink. This wrapper puts musl's and the kernel's headers in
 * place of the host's, and around a final link musl's start files and libc.a. It drops -l
 * options: libm, libcrypt, librt and libresolv are all inside musl's libc.a, and a -l could
 * otherwise find a glibc library of the cross compiler.
 */
function wrapper(tc: Toolchain, kernelHeaders: string): string {
  const headers = [
    ...tc.cflags.filter((f) => !ARCH_FLAGS.includes(f)), // musl's and gcc's own include dirs only
    // after musl's, so a name in both is musl's; only linux/, asm/ and asm-generic/ come from here
    '-idirafter', join(kernelHeaders, 'usr/include'), '-idirafter', join(kernelHeaders, 'usr/include/i386-linux-gnu'),
    '-fno-pie',
  ];
  const q = (a: string[]) => a.map(quote).join(' ');
  return `#!/bin/sh
# Written by scripts/vm-build/busybox.ts.
n=$#
link=1
for a do
  case $a in
    -c|-S|-E|-r) link=0; set -- "$@" "$a" ;;
    -l?*) ;;
    *) set -- "$@" "$a" ;;
  esac
done
shift $n
if [ $link = 0 ]; then exec ${CC} ${q(headers)} "$@" ${q(COMPILE_TAIL)}; fi
exec ${CC} ${q(headers)} ${q(LINK_FLAGS)} ${q(tc.linkHead)} "$@" ${q(COMPILE_TAIL)} ${q(tc.linkTail)}
`;
}

/** linux/*.h and asm/*.h of Debian's pinned i386 linux-libc-dev (musl-dev has none; the host's are not for i386). */
async function kernelHeaders(scope: string): Promise<{ dir: string; pin: string }> {
  const pin = readPins().debs[HEADERS_PACKAGE];
  if (!pin) throw new BuildError(`${HEADERS_PACKAGE} is not pinned in vm-images/pins.json: run \`npm run pin -- deb ${HEADERS_PACKAGE}\``);
  const dir = await cached(scope, {
    name: 'linux-libc-dev-i386',
    inputs: [HEADERS_PACKAGE, pin.version, pin.sha256],
    build: async (out) => extractDeb(await fetchDeb(scope, HEADERS_PACKAGE), out),
  });
  if (!existsSync(join(dir, 'usr/include/i386-linux-gnu/asm/unistd.h')))
    throw new BuildError(`${HEADERS_PACKAGE} extracted without usr/include/i386-linux-gnu/asm in ${dir}`);
  return { dir, pin: JSON.stringify(pin) };
}

/** Runs the i386 binary here, for its applet list; some hosts cannot run 32-bit programs. */
async function listApplets(binary: string): Promise<string[]> {
  let out: string;
  try {
    out = await run(binary, ['--list-full']);
  } catch (e) {
    throw new BuildError(
      `cannot run the built i386 busybox on this host (${(e as Error).message.split('\n')[0]}); ` +
        'it needs 32-bit program support (IA32 emulation, or qemu-user-static registered with binfmt_misc)',
    );
  }
  return out.split('\n').map((l) => l.trim()).filter(Boolean);
}

export async function buildBusybox(scope: string): Promise<Busybox> {
  await ensureHostTools(scope, {
    make: 'make', gcc: 'gcc', bzip2: 'bzip2', // Kbuild's host programs; bzip2 packs the --help texts
    [`${CROSS}strip`]: `binutils-${CROSS.slice(0, -1)}`,
  });
  const pin = readPins().sources.busybox;
  if (!pin) throw new BuildError('busybox is not pinned as a source in vm-images/pins.json: run `npm run pin -- src busybox`');
  const tc = await toolchain();
  const headers = await kernelHeaders(scope);
  const overrides = parseKconfig(OVERRIDES, 'OVERRIDES in scripts/vm-build/busybox.ts');
  const dir = await cached(scope, {
    name: 'busybox-musl',
    inputs: [RECIPE, JSON.stringify(pin), headers.pin, tc.id, OVERRIDES, ...COMPILE_TAIL, ...LINK_FLAGS],
    build: async (out) => {
      const src = await fetchSource(scope, 'busybox');
      // A private copy: make cannot build in the cached tree, whose path has the version's epoch colon.
      const work = join(cacheDir('work'), `busybox-${process.pid}`);
      rmSync(work, { recursive: true, force: true });
      try {
        const tree = join(work, 'src');
        cpSync(src, tree, { recursive: true });
        const cc = join(work, 'cc');
        writeFileSync(cc, wrapper(tc, headers.dir));
        chmodSync(cc, 0o755);
        const make = [
          'ARCH=i386', `CROSS_COMPILE=${CROSS}`, `CC=${cc}`,
          `BB_EXTRA_VERSION=Debian ${pin.version} static musl`, // the banner, in place of the build time
        ];
        const env = { ...process.env, KCONFIG_NOTIMESTAMP: '1', LC_ALL: 'C' };

        log(scope, `configuring BusyBox ${pin.version}: Debian's config and ${overrides.size} overrides`);
        writeFileSync(join(tree, '.config'), applyOverrides(readFileSync(join(src, 'debian/config/pkg/deb'), 'utf8'), overrides));
        // oldconfig asks about options Debian's config does not name (those an override uncovers): defaults.
        await run('sh', ['-c', 'yes "" | exec make "$@" oldconfig', 'sh', ...make], { cwd: tree, env });
        const final = parseKconfig(readFileSync(join(tree, '.config'), 'utf8'), '.config');
        const dropped = droppedOptions(overrides, final);
        if (dropped.length > 0)
          throw new BuildError(`make oldconfig undid ${dropped.length} override(s) of scripts/vm-build/busybox.ts (unmet dependencies?):\n  ${dropped.map(describeDropped).join('\n  ')}`);

        log(scope, 'compiling BusyBox for i386 musl with make -j2 (about a minute from scratch)');
        const started = Date.now();
        try {
          await withTicker(scope, 'make busybox', run('make', ['-j2', ...make, 'busybox_unstripped'], { cwd: tree, env }));
        } catch (e) {
          // A failed link leaves its linker output in trylink's log, not on make's stderr.
          const linkLog = join(tree, 'busybox_unstripped.out');
          const tail = existsSync(linkLog) ? `\n--- the linker's output (trylink):\n${readFileSync(linkLog, 'utf8').trimEnd().split('\n').slice(-15).join('\n')}` : '';
          throw new BuildError(`BusyBox did not build: ${(e as Error).message}${tail}`);
        }
        log(scope, `compiled in ${Math.round((Date.now() - started) / 1000)} s`);
        const binary = join(out, 'busybox');
        await run(`${CROSS}strip`, ['-s', '-R', '.comment', '-o', binary, join(tree, 'busybox_unstripped')]);
        cpSync(join(tree, '.config'), join(out, 'busybox.config'));

        if ((await run(binary, ['sh', '-c', 'echo ok']).catch(() => '')).trim() !== 'ok') {
          await listApplets(binary); // names the host's inability to run it, if that is why
          throw new BuildError(`the built busybox does not run \`sh -c 'echo ok'\` (${binary})`);
        }
        const applets = await listApplets(binary);
        const names = new Set(applets.map((a) => a.split('/').pop()));
        const missing = REQUIRED_APPLETS.filter((a) => !names.has(a));
        if (missing.length > 0) throw new BuildError(`the built busybox lacks required applets: ${missing.join(', ')}`);
        writeFileSync(join(out, 'applets'), applets.join('\n') + '\n');
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  });
  const binary = join(dir, 'busybox');
  const applets = readFileSync(join(dir, 'applets'), 'utf8').split('\n').filter(Boolean);
  log(scope, `busybox ${pin.version}: ${(statSync(binary).size / 1024).toFixed(0)} KiB static i386 musl, ${applets.length} applets`);
  return { binary, version: pin.version, applets };
}
