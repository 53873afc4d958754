// The OCI runtime-tools validation suite against our runc and Debian's runc on this host.
//
// The suite is a test tool, kept outside the repository (~/.cache/whalebone/conformance): the
// upstream source comes from Debian's source package (orig tarball, pinned by sha256), built
// with Debian's Go (golang-1.22-go from bookworm-backports) in GOPATH mode against Debian's
// golang-*-dev packages, as Debian itself builds Go. The one library Debian lacks (mndrix/tap-go,
// a TAP writer) is replaced by a small writer of our own with the same calls. Needs root (the
// suite creates real containers), like the native tests.
//
//   npm run conformance                 # every test, ours and Debian's runc
//   RUNTIME=/path/to/runc npm run conformance -- linux_masked_paths hostname
//   CONFORMANCE_ONLY=ours npm run conformance
//
// RUNTIME defaults to the host build of our runtime (vm-images/dist/runtime/whalebone-host,
// reached through a link named runc, as the multi-call binary picks its role by name).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { cacheDir, repoRoot } from './lib/cache.ts';
import { run } from './lib/exec.ts';
import { BuildError, log, runMain } from './lib/progress.ts';

const SCOPE = 'conformance';
const SOURCE = 'golang-github-opencontainers-runtime-tools';
const VERSION = '0.9.0.109.ge931285';
const ORIG = `${SOURCE}_${VERSION}.orig.tar.xz`;
const ORIG_URL = `http://deb.debian.org/debian/pool/main/g/${SOURCE}/${ORIG}`;
const ORIG_SHA256 = '203989a1ea98cf2aaced79155bbda09270b20db19b03376dde91ab12e5e6a0fe';
const GO = '/usr/lib/go-1.22/bin/go';
const DEBIAN_RUNC = '/usr/sbin/runc';
/** Debian's packages of the suite's Go dependencies (its source package's Build-Depends). */
const GO_DEV = [
  'golang-github-blang-semver-dev', 'golang-github-google-uuid-dev', 'golang-github-hashicorp-go-multierror-dev',
  'golang-github-mrunalp-fileutils-dev', 'golang-github-opencontainers-selinux-dev', 'golang-github-opencontainers-specs-dev',
  'golang-github-sirupsen-logrus-dev', 'golang-github-stretchr-testify-dev', 'golang-github-urfave-cli-dev',
  'golang-github-xeipuuv-gojsonschema-dev', 'golang-gocapability-dev', 'golang-golang-x-sys-dev', 'golang-gopkg-yaml.v2-dev',
];
const BACKPORTS = '/etc/apt/sources.list.d/whalebone-backports.sources';
const PER_TEST_TIMEOUT_MS = 120_000;
/**
 * Tests that need cgroup limits: the linux_cgroups_* ones, and delete_resources (it sets a pids
 * limit at create and looks for its cgroup v1 directory after delete).
 */
const CGROUP_TESTS = (t: string): boolean => t.startsWith('linux_cgroups_') || t === 'delete_resources';

/** A TAP 13 writer with the calls the suite makes on mndrix/tap-go's T (not packaged by Debian). */
const TAP_SHIM = `// Written for whalebone's conformance script: the TAP calls the runtime-tools suite makes.
package tap

import (
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v2"
)

type T struct {
	next   int
	todo   bool
	Writer io.Writer
}

func New() *T { return &T{next: 1, Writer: os.Stdout} }

func (t *T) Header(count int) {
	fmt.Fprintln(t.Writer, "TAP version 13")
	if count > 0 {
		fmt.Fprintf(t.Writer, "1..%d\\n", count)
	}
}

func (t *T) Ok(ok bool, description string) {
	status, suffix := "ok", ""
	if !ok {
		status = "not ok"
	}
	if t.todo {
		suffix = " # TODO"
	}
	fmt.Fprintf(t.Writer, "%s %d - %s%s\\n", status, t.next, description, suffix)
	t.next++
}

func (t *T) Pass(description string) { t.Ok(true, description) }
func (t *T) Fail(description string) { t.Ok(false, description) }

func (t *T) Skip(count int, description string) {
	for i := 0; i < count; i++ {
		fmt.Fprintf(t.Writer, "ok %d # SKIP %s\\n", t.next, description)
		t.next++
	}
}

func (t *T) Todo() *T { c := *t; c.todo = true; return &c }
func (t *T) Count() int { return t.next - 1 }
func (t *T) AutoPlan()  { fmt.Fprintf(t.Writer, "1..%d\\n", t.Count()) }

func (t *T) Diagnostic(message string) {
	for _, line := range strings.Split(strings.TrimRight(message, "\\n"), "\\n") {
		fmt.Fprintf(t.Writer, "# %s\\n", line)
	}
}

func (t *T) Diagnosticf(format string, a ...interface{}) { t.Diagnostic(fmt.Sprintf(format, a...)) }

func (t *T) YAML(message interface{}) error {
	b, err := yaml.Marshal(message)
	if err != nil {
		return err
	}
	fmt.Fprintln(t.Writer, "  ---")
	for _, line := range strings.Split(strings.TrimRight(string(b), "\\n"), "\\n") {
		fmt.Fprintf(t.Writer, "  %s\\n", line)
	}
	fmt.Fprintln(t.Writer, "  ...")
	return nil
}
`;

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function dpkgInstalled(pkgs: string[]): string[] {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Package} ${db:Status-Status}\\n', ...pkgs], { encoding: 'utf8' });
  const ok = new Set(r.stdout.split('\n').filter((l) => l.endsWith(' installed')).map((l) => l.split(' ')[0]));
  return pkgs.filter((p) => !ok.has(p));
}

/** Installs the Go toolchain (from bookworm-backports), the -dev packages and Debian's runc. */
async function ensureTools(): Promise<void> {
  const missing = dpkgInstalled(['golang-1.22-go', 'runc', ...GO_DEV]);
  if (missing.length === 0) return;
  const policy = spawnSync('apt-cache', ['policy', 'golang-1.22-go'], { encoding: 'utf8' }).stdout;
  if (!policy.includes('bookworm-backports')) {
    log(SCOPE, `adding bookworm-backports for golang-1.22-go (${BACKPORTS})`);
    writeFileSync(BACKPORTS, 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n');
    await run('apt-get', ['update']);
  }
  log(SCOPE, `installing ${missing.join(' ')}`);
  await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing.map((p) => (p === 'golang-1.22-go' ? `${p}/bookworm-backports` : p))], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

interface Suite {
  /** The source tree (the tests run here: they read runtimetest and rootfs-<arch>.tar.gz from it). */
  src: string;
  /** name -> test binary */
  tests: Map<string, string>;
}

async function buildSuite(): Promise<Suite> {
  const base = cacheDir('conformance');
  const orig = join(base, ORIG);
  if (!existsSync(orig) || sha256(orig) !== ORIG_SHA256) {
    log(SCOPE, `downloading ${ORIG}`);
    const res = await fetch(ORIG_URL);
    if (!res.ok) throw new BuildError(`cannot download ${ORIG_URL}: HTTP ${res.status}`);
    writeFileSync(orig, Buffer.from(await res.arrayBuffer()));
    const sum = sha256(orig);
    if (sum !== ORIG_SHA256) throw new BuildError(`checksum mismatch for ${ORIG}: expected ${ORIG_SHA256}, got ${sum}`);
  }
  const src = join(base, `${SOURCE}-${VERSION}`);
  if (!existsSync(join(src, 'validation'))) await run('tar', ['xf', orig, '-C', base]);
  const gopath = join(base, 'gopath');
  const tapDir = join(gopath, 'src', 'github.com', 'mndrix', 'tap-go');
  mkdirSync(tapDir, { recursive: true });
  writeFileSync(join(tapDir, 'tap.go'), TAP_SHIM);
  const link = join(gopath, 'src', 'github.com', 'opencontainers', 'runtime-tools');
  mkdirSync(join(link, '..'), { recursive: true });
  if (!existsSync(link)) symlinkSync(src, link);
  const bin = join(base, 'bin');
  mkdirSync(bin, { recursive: true });
  const env = {
    ...process.env, PATH: `/usr/lib/go-1.22/bin:${process.env.PATH ?? ''}`, GOPATH: `${gopath}:/usr/share/gocode`,
    GO111MODULE: 'off', CGO_ENABLED: '0', GOFLAGS: '', GOPROXY: 'off', GOCACHE: join(base, 'gocache'),
  };
  const names = readdirSync(join(src, 'validation')).filter((n) => n !== 'util' && existsSync(join(src, 'validation', n, `${n}.go`)));
  if (!existsSync(join(src, 'runtimetest'))) {
    log(SCOPE, 'building runtimetest');
    await run(GO, ['build', '-o', join(src, 'runtimetest'), './cmd/runtimetest'], { cwd: link, env });
  }
  if (!names.every((n) => existsSync(join(bin, n)))) {
    log(SCOPE, `building ${names.length} validation tests`);
    // one build of all the packages (a directory for -o, absolute: each binary takes its package's name)
    await run(GO, ['build', '-ldflags=-s', '-o', `${bin}/`, './validation/...'], { cwd: link, env });
  }
  return { src, tests: new Map(names.map((n) => [n, join(bin, n)])) };
}

export interface TapResult {
  ok: number;
  notOk: number;
  skipped: number;
  /** The first failures' descriptions. */
  failures: string[];
}

/** Counts a TAP stream's results; a TODO failure is not a failure. */
export function parseTap(text: string): TapResult {
  const r: TapResult = { ok: 0, notOk: 0, skipped: 0, failures: [] };
  for (const line of text.split('\n')) {
    const m = /^(not ok|ok)\b\s*\d*\s*(?:-\s*)?(.*)$/.exec(line);
    if (!m) continue;
    const desc = m[2] ?? '';
    if (/#\s*SKIP/i.test(desc)) r.skipped++;
    else if (m[1] === 'ok' || /#\s*TODO/i.test(desc)) r.ok++;
    else {
      r.notOk++;
      if (r.failures.length < 3) r.failures.push(desc);
    }
  }
  return r;
}

type Verdict = 'pass' | 'FAIL' | 'skip';

interface Outcome {
  verdict: Verdict;
  tap: TapResult;
  code: number;
}

function runTest(suite: Suite, test: string, runtime: string): Outcome {
  const r = spawnSync(suite.tests.get(test)!, [], {
    cwd: suite.src, env: { ...process.env, RUNTIME: runtime }, encoding: 'utf8', timeout: PER_TEST_TIMEOUT_MS,
  });
  const tap = parseTap(r.stdout ?? '');
  const code = r.status ?? -1;
  // a few tests (the *_fail ones) print nothing when they pass: only util.Fatal exits non-zero
  let verdict: Verdict = 'pass';
  if (code !== 0 || tap.notOk > 0) verdict = 'FAIL';
  else if (tap.ok === 0 && tap.skipped > 0) verdict = 'skip';
  if (verdict === 'FAIL' && tap.failures.length === 0) tap.failures.push(`exit ${code}${r.error ? ` (${r.error.message})` : ''}: ${(r.stderr ?? '').trim().split('\n').slice(-1)[0] ?? ''}`);
  // containers a failed test left behind would hold mounts and cgroups for the next
  cleanup(runtime);
  return { verdict, tap, code };
}

function cleanup(runtime: string): void {
  const r = spawnSync(runtime, ['list', '-q'], { encoding: 'utf8' });
  for (const id of (r.stdout ?? '').split('\n').filter(Boolean)) spawnSync(runtime, ['delete', '-f', id], { stdio: 'ignore' });
}

function ourRuntime(): string {
  if (process.env.RUNTIME) {
    if (basename(process.env.RUNTIME) !== 'runc') throw new BuildError(`RUNTIME must name a binary called runc (got ${process.env.RUNTIME})`);
    return process.env.RUNTIME;
  }
  const host = join(repoRoot, 'vm-images', 'dist', 'runtime', 'whalebone-host');
  if (!existsSync(host)) throw new BuildError(`no host build of the runtime at ${host}: run npx tsx scripts/prepare.ts (or set RUNTIME)`);
  const dir = cacheDir('conformance', 'ours');
  rmSync(join(dir, 'runc'), { force: true });
  symlinkSync(host, join(dir, 'runc'));
  return join(dir, 'runc');
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new BuildError('the validation suite creates real containers: run as root');
  const cg = spawnSync('stat', ['-f', '-c', '%T', '/sys/fs/cgroup'], { encoding: 'utf8' }).stdout.trim();
  const cgroupV2 = cg === 'cgroup2fs';
  if (!cgroupV2) log(SCOPE, `note: /sys/fs/cgroup is ${cg || 'absent'}, not a cgroup v2 hierarchy: our runtime supports cgroup v2 only, so ours skips the linux_cgroups_* tests here`);
  await ensureTools();
  const suite = await buildSuite();
  const only = process.env.CONFORMANCE_ONLY ?? '';
  const runtimes: [string, string][] = [];
  if (only !== 'debian') runtimes.push(['ours', ourRuntime()]);
  if (only !== 'ours') runtimes.push(['Debian runc', DEBIAN_RUNC]);
  const wanted = process.argv.slice(2);
  const tests = [...suite.tests.keys()].filter((t) => wanted.length === 0 || wanted.includes(t)).sort();
  for (const w of wanted) if (!suite.tests.has(w)) throw new BuildError(`no validation test named ${w}`);
  const version = spawnSync(DEBIAN_RUNC, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  log(SCOPE, `${tests.length} tests; ours = ${runtimes[0]?.[1]}; Debian = ${DEBIAN_RUNC} (${version})`);
  const rows: string[][] = [];
  const passes = runtimes.map(() => 0);
  for (const t of tests) {
    const row = [t];
    const notes: string[] = [];
    runtimes.forEach(([name, path], i) => {
      if (name === 'ours' && !cgroupV2 && CGROUP_TESTS(t)) {
        row.push('n/a (no cgroup v2)');
        return;
      }
      const o = runTest(suite, t, path);
      if (o.verdict === 'pass') passes[i]!++;
      row.push(`${o.verdict} ${o.tap.ok}/${o.tap.ok + o.tap.notOk}`);
      if (o.verdict === 'FAIL') notes.push(`${name}: ${o.tap.failures.join('; ').slice(0, 160)}`);
    });
    row.push(notes.join(' | '));
    rows.push(row);
    process.stderr.write(`  ${row.slice(0, -1).join('  ')}\n`);
  }
  const header = ['test', ...runtimes.map(([n]) => n), 'first failures'];
  const width = header.slice(0, -1).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i < width.length ? c.padEnd(width[i]!) : c)).join('  ').trimEnd();
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log(`\npassed: ${runtimes.map(([n], i) => `${n} ${passes[i]}/${tests.length}`).join(', ')}`);
  if (runtimes.length === 2) {
    const behind = rows.filter((r) => r[2]!.startsWith('pass') && !r[1]!.startsWith('pass'));
    const failed = behind.filter((r) => !r[1]!.startsWith('n/a')).map((r) => r[0]);
    const notRun = behind.filter((r) => r[1]!.startsWith('n/a')).map((r) => r[0]);
    console.log(`Debian's runc passes, ours does not: ${failed.length ? failed.join(' ') : 'none'}`);
    if (notRun.length) console.log(`Debian's runc passes, ours not run here (no cgroup v2): ${notRun.join(' ')}`);
  }
}

runMain(SCOPE, main);
