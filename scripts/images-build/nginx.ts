// The nginx image's server: nginx built from Debian's pinned source package as one static i386
// musl binary (with pcre2 and zlib from their Debian source packages), installed over Debian's
// nginx-common (config, default site, log folder).
//
// Why not Debian's binary: it links OpenSSL and six other libraries with BIND_NOW, so in the
// emulator each start spends about a second in the dynamic loader (some 20 000 relocations, most
// in libcrypto) before nginx installs its signal handlers. A static non-PIE binary has none.
// Left out: TLS and HTTP/2 (no https in the playground), auth_basic (musl here has no crypt()),
// the mail and stream modules, pcre JIT.
import { chmodSync, chownSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cached } from '../lib/cache.ts';
import { fetchSource, pinOf, readPins, type SourcePin } from '../lib/apt.ts';
import { run } from '../lib/exec.ts';
import { BuildError, log } from '../lib/progress.ts';
import { compileAll } from '../runtime-build/quickjs.ts';
import { CC, toolchain, type Toolchain } from '../runtime-build/toolchain.ts';
import { zlib } from '../runtime-build/zlib.ts';

const SCOPE = 'images';

/** Debian's own paths (debian/rules), so Debian's nginx-common config works unchanged. */
const PATHS = [
  '--prefix=/usr/share/nginx',
  '--sbin-path=/usr/sbin/nginx',
  '--conf-path=/etc/nginx/nginx.conf',
  '--http-log-path=/var/log/nginx/access.log',
  '--error-log-path=stderr',
  '--lock-path=/var/lock/nginx.lock',
  '--pid-path=/run/nginx.pid',
  '--modules-path=/usr/lib/nginx/modules',
  '--http-client-body-temp-path=/var/lib/nginx/body',
  '--http-fastcgi-temp-path=/var/lib/nginx/fastcgi',
  '--http-proxy-temp-path=/var/lib/nginx/proxy',
  '--http-scgi-temp-path=/var/lib/nginx/scgi',
  '--http-uwsgi-temp-path=/var/lib/nginx/uwsgi',
];

/** The --http-*-temp-path folders above. */
const TEMP_DIRS = ['body', 'fastcgi', 'proxy', 'scgi', 'uwsgi'];

/** Debian's HTTP modules less the ones that need OpenSSL (ssl, v2). */
export const MODULES = [
  '--with-threads',
  '--with-http_stub_status_module',
  '--with-http_realip_module',
  '--with-http_auth_request_module',
  '--with-http_dav_module',
  '--with-http_slice_module',
  '--with-http_addition_module',
  '--with-http_flv_module',
  '--with-http_gunzip_module',
  '--with-http_gzip_static_module',
  '--with-http_mp4_module',
  '--with-http_random_index_module',
  '--with-http_secure_link_module',
  '--with-http_sub_module',
];

/** pcre2's 8-bit library as its Makefile.am lists it (pcre2_ucptables.c is included by pcre2_tables.c). */
const PCRE2_SOURCES = [
  'pcre2_auto_possess.c', 'pcre2_chartables.c', 'pcre2_compile.c', 'pcre2_config.c', 'pcre2_context.c',
  'pcre2_convert.c', 'pcre2_dfa_match.c', 'pcre2_error.c', 'pcre2_extuni.c', 'pcre2_find_bracket.c',
  'pcre2_jit_compile.c', 'pcre2_maketables.c', 'pcre2_match.c', 'pcre2_match_data.c', 'pcre2_newline.c',
  'pcre2_ord2utf.c', 'pcre2_pattern_info.c', 'pcre2_script_run.c', 'pcre2_serialize.c', 'pcre2_string_utils.c',
  'pcre2_study.c', 'pcre2_substitute.c', 'pcre2_substring.c', 'pcre2_tables.c', 'pcre2_ucd.c',
  'pcre2_valid_utf.c', 'pcre2_xclass.c',
];

const sourcePin = (name: string): SourcePin => pinOf(readPins().sources, name, 'source');

/** What the binary is made from, for the image's cache key (the toolchain's pin through musl-dev). */
export function nginxInputs(): string[] {
  return ['nginx', ...['nginx', 'pcre2', 'zlib'].map((n) => JSON.stringify(sourcePin(n))), JSON.stringify(readPins().debs['musl-dev'] ?? null)];
}

async function pcre2(tc: Toolchain): Promise<{ include: string; lib: string }> {
  const pin = sourcePin('pcre2');
  const src = await fetchSource(SCOPE, 'pcre2');
  const dir = await cached(SCOPE, {
    name: 'pcre2-i386',
    inputs: ['pcre2-i386 v1', JSON.stringify(pin), tc.id, ...PCRE2_SOURCES],
    build: async (out) => {
      // The generic config and tables are what pcre2's docs offer builds without its configure.
      const work = join(out, 'src');
      cpSync(join(src, 'src'), work, { recursive: true });
      copyFileSync(join(work, 'config.h.generic'), join(work, 'config.h'));
      copyFileSync(join(work, 'pcre2.h.generic'), join(work, 'pcre2.h'));
      copyFileSync(join(work, 'pcre2_chartables.c.dist'), join(work, 'pcre2_chartables.c'));
      log(SCOPE, `compiling pcre2 ${pin.version} for i386 musl (${PCRE2_SOURCES.length} files)`);
      const defs = ['-DHAVE_CONFIG_H', '-DPCRE2_CODE_UNIT_WIDTH=8', '-DPCRE2_STATIC', '-DSUPPORT_UNICODE', '-DHAVE_MEMMOVE', '-I', work, '-w'];
      const objs = await compileAll(CC, [...tc.cflags, ...defs], work, PCRE2_SOURCES, out);
      mkdirSync(join(out, 'lib'));
      mkdirSync(join(out, 'include'));
      await run('i686-linux-gnu-ar', ['rcs', join(out, 'lib', 'libpcre2-8.a'), ...objs]);
      copyFileSync(join(work, 'pcre2.h'), join(out, 'include', 'pcre2.h'));
      rmSync(work, { recursive: true });
      for (const o of objs) rmSync(o);
    },
  });
  return { include: join(dir, 'include'), lib: join(dir, 'lib') };
}

const DRIVER = 'i386-musl-cc';
/** nginx adds -O and -g: -O2 wins back the toolchain's level, -g0 keeps build paths out of the binary. */
const CC_OPT = '-Iwhalebone-include -DPCRE2_STATIC -O2 -g0 -Wno-error';

/**
 * A compiler driver for nginx's configure and Makefile: compiles against musl's headers and links
 * statically against musl (what musl-gcc does with a specs file). nginx links -lcrypt, which musl
 * would keep in libc.a and Debian's musl-dev has no archive for, so the driver drops it.
 */
function writeDriver(path: string, tc: Toolchain, tree: string, libDirs: string[]): void {
  const q = (args: string[]) => args.map((a) => `'${a}'`).join(' ');
  writeFileSync(
    path,
    `#!/bin/sh
# Generated by scripts/images-build/nginx.ts.
for a; do
  case "$a" in -c|-E|-M|-MM) exec ${CC} ${q(tc.cflags)} '-ffile-prefix-map=${tree}=.' "$@" ;; esac
done
for a; do
  shift
  [ "$a" = -lcrypt ] || set -- "$@" "$a"
done
exec ${CC} ${q(tc.cflags)} ${q(tc.linkHead)} ${q(libDirs.map((d) => `-L${d}`))} -Wl,--gc-sections "$@" ${q(tc.linkTail)}
`,
  );
  chmodSync(path, 0o755);
}

export interface NginxBinary {
  /** The stripped static binary. */
  path: string;
  /** `nginx -V`'s configure arguments, for the image history. */
  configure: string;
}

/** Builds (or finds in the cache) the static nginx. */
export async function nginxBinary(): Promise<NginxBinary> {
  const tc = await toolchain();
  const z = await zlib(tc);
  const pc = await pcre2(tc);
  const src = await fetchSource(SCOPE, 'nginx');
  const flags = [...PATHS, ...MODULES, '--without-http_auth_basic_module', '--with-pcre'];
  const dir = await cached(SCOPE, {
    name: 'nginx-i386',
    inputs: ['nginx-i386 v2', ...nginxInputs(), tc.id, z.id, pc.lib, CC_OPT, ...flags],
    build: async (out) => {
      // Inside the stage's own temporary folder: nothing else uses that name.
      const work = join(out, 'build');
      mkdirSync(work);
      try {
        // configure writes a Makefile into the tree it runs in: a copy, not the cached source.
        const tree = join(work, 'src');
        cpSync(src, tree, { recursive: true });
        // `nginx -V` prints configure's arguments, and the build's paths hold this process's id:
        // the driver is found on PATH and the headers are copied into the tree, so the arguments
        // (and the binary) are the same on every build.
        const bin = join(work, 'bin');
        mkdirSync(bin);
        writeDriver(join(bin, DRIVER), tc, tree, [pc.lib, join(z.libI386, '..'), join(tc.muslRoot, 'usr/lib/i386-linux-musl')]);
        const inc = join(tree, 'whalebone-include');
        mkdirSync(inc);
        copyFileSync(join(pc.include, 'pcre2.h'), join(inc, 'pcre2.h'));
        for (const h of ['zlib.h', 'zconf.h']) copyFileSync(join(z.srcDir, h), join(inc, h));
        // Debian's musl-dev has no crypt() and no crypt.h, which nginx's Linux header includes
        // whatever the modules; auth_basic, the one user of crypt(), is left out.
        writeFileSync(join(inc, 'crypt.h'), '#include <unistd.h>\n');
        const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` };
        // configure runs its probe programs, so this host must run i386 binaries (ensureI386Exec).
        log(SCOPE, `configuring nginx ${sourcePin('nginx').version} (static, i386 musl)`);
        await run('./configure', [`--with-cc=${DRIVER}`, `--with-cc-opt=${CC_OPT}`, ...flags], { cwd: tree, env });
        log(SCOPE, 'compiling nginx (a minute or two)');
        await run('make', ['-j2', '-f', 'objs/Makefile', 'binary'], { cwd: tree, env });
        await run('i686-linux-gnu-strip', ['-o', join(out, 'nginx'), join(tree, 'objs', 'nginx')]);
        writeFileSync(join(out, 'configure.txt'), [`--with-cc=${DRIVER}`, `--with-cc-opt='${CC_OPT}'`, ...flags].join(' ') + '\n');
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  });
  return { path: join(dir, 'nginx'), configure: readFileSync(join(dir, 'configure.txt'), 'utf8').trim() };
}

/**
 * The nginx image's own steps after apt: our binary in /usr/sbin, Debian's config without its TLS
 * lines, nginx's temp folders, and logs to the container's stdout and stderr as Docker's image has
 * them. Returns the step as the image history shows it.
 */
export async function nginxTweaks(tree: string): Promise<string> {
  const bin = await nginxBinary();
  const to = join(tree, 'usr/sbin/nginx');
  mkdirSync(join(tree, 'usr/sbin'), { recursive: true });
  copyFileSync(bin.path, to);
  chmodSync(to, 0o755);
  // Debian's nginx.conf sets TLS defaults, which a build without the ssl module rejects.
  const conf = join(tree, 'etc/nginx/nginx.conf');
  if (!existsSync(conf)) throw new BuildError('nginx-common did not install /etc/nginx/nginx.conf');
  writeFileSync(conf, readFileSync(conf, 'utf8').replace(/^(\s*)(ssl_)/gm, '$1# not in this build (no TLS): $2'));
  const logs = join(tree, 'var/log/nginx');
  if (!existsSync(logs)) throw new BuildError('nginx-common did not make /var/log/nginx');
  for (const [f, target] of [['access.log', '/dev/stdout'], ['error.log', '/dev/stderr']] as const) {
    rmSync(join(logs, f), { force: true });
    symlinkSync(target, join(logs, f));
  }
  // The temp folders nginx would otherwise make (and chown) at each container's first start:
  // on a fresh container that is a copy-up of /var/lib/nginx from the lazy layer, tens of ms here.
  const user = /^www-data:[^:]*:(\d+):/m.exec(readFileSync(join(tree, 'etc/passwd'), 'utf8'));
  if (!user) throw new BuildError('the nginx image has no www-data user');
  for (const d of TEMP_DIRS) {
    const dir = join(tree, 'var/lib/nginx', d);
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o700);
    chownSync(dir, Number(user[1]), 0);
  }
  return `install -m 755 nginx /usr/sbin/nginx && install -d -m 700 -o www-data ${TEMP_DIRS.map((d) => `/var/lib/nginx/${d}`).join(' ')} # nginx: static i386 musl, built from Debian's nginx ${sourcePin('nginx').version} source: ${bin.configure}`;
}
