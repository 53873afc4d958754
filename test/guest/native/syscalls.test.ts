// Native tests: the real i386 runtime (whalebone-run + wbnative) on this amd64 host, as root, with
// real namespaces. The probe program (probe.ts) is bundled like the guest runtime and run by
// whalebone-run; each mode prints one RESULT line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, chmodSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from '../../../scripts/runtime-build/bytecode.ts';
import { extractDeb, fetchDeb } from '../../../scripts/lib/apt.ts';
import { repoRoot } from '../../../scripts/lib/cache.ts';
import { skipOutsideCi } from '../../helpers/ci.ts';

const dist = join(repoRoot, 'vm-images/dist/runtime');
const runner = join(dist, 'whalebone-run');
const missing = !existsSync(runner) ? 'vm-images/dist/runtime/whalebone-run is missing: run npm run build:runtime' : '';
const notRoot = process.getuid?.() !== 0 ? 'native namespace tests need root' : '';
const skip = missing || notRoot;

let work = '';
let probe = '';

function runProbe(mode: string, ...args: string[]): Record<string, unknown> {
  const r = spawnSync(runner, [probe, mode, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, WB_PROBE: 'yes' } });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (r.status !== 0 || !line) throw new Error(`probe ${mode} exited ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return JSON.parse(line.slice('RESULT '.length)) as Record<string, unknown>;
}

describe.skipIf(skip)(`native i386 runtime${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'wb-native-'));
    chmodSync(work, 0o755);
    probe = join(work, 'probe.js');
    await bundle(join(repoRoot, 'test/guest/native/probe.ts'), probe);
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('runs a child as PID 1 in new namespaces, pivot_roots into a busybox root and returns its exit code', async () => {
    const root = join(work, 'root');
    await extractDeb(await fetchDeb('test', 'busybox-static'), join(work, 'bb'));
    mkdirSync(join(root, 'bin'), { recursive: true });
    for (const d of ['proc', 'tmp']) mkdirSync(join(root, d));
    spawnSync('cp', [join(work, 'bb/bin/busybox'), join(root, 'bin/busybox')]);
    const r = runProbe('namespaces', root);
    expect(r.childError).toBeUndefined();
    expect(r).toMatchObject({
      pid: 1,
      ppid: 0,
      hostname: 'wb-child',
      cwd: '/',
      procSelf: '1',
      procStat: '1',
      nullDev: true,
      exit: 42,
      hostUnchanged: true,
    });
    expect(r.rootEntries).toEqual(['bin', 'proc', 'tmp']);
  });

  it('drops privileges for good with setuid; setuid(0) afterwards fails with EPERM', () => {
    const r = runProbe('setuid');
    expect(r.childError).toBeUndefined();
    expect(r).toMatchObject({ uid: 65534, euid: 65534, gid: 65534, caps: '0', nnp: 1, sysAdminInBounding: 0, regained: false, exit: 7, parentUid: 0, parentCaps: true });
    expect(r.setuid0).toEqual({ code: 'EPERM', errno: 1, message: 'EPERM: setuid(0)' });
  });

  it('echoes over a unix socket between two processes', () => {
    const r = runProbe('echo', join(work, 'echo.sock'));
    expect(r).toEqual({ got: 'ping ✓ whalebone', pollReady: true, clientExit: 0, pair: 'pair', socketType: true });
  });

  it('turns failed calls into SyscallErrors with errno names and keeps running', () => {
    const dir = join(work, 'err');
    mkdirSync(dir);
    const r = runProbe('errors', dir);
    expect(r.pivotRoot).toEqual({ code: 'ENOENT', errno: 2, message: `ENOENT: pivot_root("${dir}/missing", "${dir}/missing")` });
    expect((r.pivotRootSame as { code: string }).code).toMatch(/^(EINVAL|EBUSY)$/);
    expect(r.pivotRootSame).toMatchObject({ message: expect.stringContaining('pivot_root(".", ".")') });
    expect(r.open).toMatchObject({ code: 'ENOENT', message: `ENOENT: open("${dir}/missing", 0, 438)` });
    expect(r.mkdirTwice).toMatchObject({ code: 'EEXIST' });
    expect(r.killNobody).toMatchObject({ code: 'ESRCH' });
    expect(r.closeBad).toMatchObject({ code: 'EBADF', errno: 9 });
    expect(r.fcntlBad).toMatchObject({ code: 'EBADF' });
    expect(r.execMissing).toMatchObject({ code: 'ENOENT', message: expect.stringContaining('execve(') });
    expect(r.stillRunning).toBe(true);
  });

  it('survives a write to a closed pipe when SIGPIPE is ignored (EPIPE instead)', () => {
    const r = runProbe('sigpipe');
    expect(r).toMatchObject({ write: { code: 'EPIPE', errno: 32 }, alive: true });
    expect((r.write as { message: string }).message).toMatch(/^EPIPE: write\(\d+, 4\)$/);
  });

  it('spawns a program with the fds it is given, SIGPIPE back at its default, and reports a missing one', () => {
    const r = runProbe('spawn');
    expect(r).toMatchObject({ lines: ['out', 'err'], sigpipeIgnored: 'no', exit: 0, missing: { code: 'ENOENT', message: expect.stringContaining('spawn(') } });
  });

  it('opens a pty pair, sets its window size and makes it a controlling terminal', () => {
    const r = runProbe('pty');
    expect(r.path).toMatch(/^\/dev\/pts\/\d+$/);
    expect(r).toMatchObject({ size: { rows: 33, cols: 101 }, isatty: true, pipeIsTty: false, ttyBefore: 'ENXIO', ttyAfter: 'yes', exit: 0 });
  });

  it('reads and writes files through the real calls', () => {
    const dir = join(work, 'files');
    mkdirSync(dir);
    const r = runProbe('files', dir);
    expect(r).toEqual({
      content: 'héllo\n', mode: 0o600, size: 7, link: 'a.txt',
      entries: ['b.txt:file', 'link2:symlink', 'link:symlink'], random: 16, env: 'yes',
    });
  });

  it('allocates, grows, shrinks and reuses memory correctly through its own allocator', () => {
    const r = runProbe('alloc');
    expect(r).toEqual({
      lengths: [1, 2, 3, 5, 9, 17, 33, 65, 129, 257, 513, 1025],
      tail: 'tuvwx', sum: 3 * (49999 * 50000) / 2, small: 3 * 45, kept: 2000,
      last: { id: 499, name: 'n499-19', tags: ['t0', 't1', 't2', 't3'] }, same: true, bytes: 38246416,
    });
  });

  it('encodes and decodes UTF-8 in C exactly as the JavaScript codec does', () => {
    const r = runProbe('utf8') as { encoded: [string, string][]; decoded: [string, string][]; view: string; long: number };
    for (const [c, js] of r.encoded) expect(c).toBe(js);
    for (const [c, js] of r.decoded) expect(c).toBe(js);
    expect(r.encoded[2]![0]).toBe(Buffer.from('héllo wörld').toString('hex'));
    expect(r.encoded[5]![0]).toBe(Buffer.from('lone \ufffd hi').toString('hex'));
    expect(r.decoded.map(([c]) => c)).toEqual(['a\ufffdb', '\ufffd', '\ufffd\ufffd', '\ufffd', '\ufffd\ufffd', '\ufffd', '😀', '€A']);
    expect(r.view).toBe('€');
    expect(r.long).toBe(40000);
  });

  it('sends and receives UDP datagrams with their addresses (the DNS server\'s calls)', () => {
    const port = 20000 + (process.pid % 20000);
    const r = runProbe('udp', String(port));
    expect(r).toEqual({
      from: { family: 'inet', host: '127.0.0.1', port: port + 1 },
      id: 0x4242,
      answer: '10.86.0.53',
      replyFrom: { family: 'inet', host: '127.0.0.1', port },
      empty: 'EAGAIN',
    });
  });
});

const binary = join(dist, 'whalebone');
const noBinary = skipOutsideCi(!existsSync(binary) ? 'vm-images/dist/runtime/whalebone is missing: run npm run build:runtime' : null, 'the multi-call binary test') ?? '';

describe.skipIf(noBinary)(`the whalebone multi-call binary${noBinary ? ` (skipped: ${noBinary})` : ''}`, () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wb-bin-'));
    spawnSync('ln', ['-s', binary, join(dir, 'docker')]);
    spawnSync('ln', ['-s', binary, join(dir, 'runc')]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (cmd: string, ...args: string[]) => spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });

  it('is a static i386 ELF of at most 2 MB', () => {
    const head = readFileSync(binary).subarray(0, 20);
    expect(head.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(head[4]).toBe(1); // 32-bit
    expect(head.readUInt16LE(18)).toBe(3); // EM_386
    expect(statSync(binary).size).toBeLessThanOrEqual(2 * 1024 * 1024);
  });

  it('dispatches on argv[0] and on the first argument alike', () => {
    const viaLink = run(join(dir, 'docker'), '--version');
    const viaArg = run(binary, 'docker', '--version');
    expect(viaLink.stdout).toMatch(/^Docker version \d+\.\d+\.\d+, build whalebone\n$/);
    expect(viaLink.status).toBe(0);
    expect(viaArg.stdout).toBe(viaLink.stdout);
    expect(run(join(dir, 'runc'), '--version').stdout).toMatch(/^runc version /);
  });

  // An unknown role is our own error (125); an unknown docker subcommand exits 1, as Docker's CLI does.
  it('answers an unknown role with usage and exit 125, an unknown subcommand as Docker does', () => {
    const role = run(binary, 'podman', 'ps');
    expect(role.status).toBe(125);
    expect(role.stdout).toBe('');
    expect(role.stderr).toContain('unknown role: podman');
    expect(role.stderr).toContain('Usage:');
    const sub = run(join(dir, 'docker'), 'frobnicate');
    expect(sub.status).toBe(1);
    expect(sub.stderr).toContain('unknown command: docker frobnicate');
    expect(sub.stderr).toContain("Run 'docker --help'");
  });
});
