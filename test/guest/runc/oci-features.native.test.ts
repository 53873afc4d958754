// The OCI features the runtime-tools suite checks, for real: our runc on this host (root needed).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { busyboxBundle, nativeSkipReason, run } from '../helpers/native.ts';

const skip = nativeSkipReason();
/** mount needs CAP_SYS_ADMIN, which runc spec's default set leaves out. */
const ALL_CAPS = { bounding: ['CAP_SYS_ADMIN'], effective: ['CAP_SYS_ADMIN'], permitted: ['CAP_SYS_ADMIN'] };
if (skip && process.env.CI === 'true') throw new Error(`native runc tests cannot run: ${skip}`);
const dir = mkdtempSync(join(tmpdir(), 'wb-oci-'));
const root = join(dir, 'state');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runc(...args: string[]) {
  return run(['runc', '--root', root, ...args], { cwd: dir, quiet: args[0] === 'create' });
}

describe.skipIf(skip !== null)(`OCI features natively${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('applies process.rlimits before exec, and refuses a type Linux does not have', async () => {
    const b = await busyboxBundle(join(dir, 'rl'), (s) => {
      s.process!.args = ['sh', '-c', 'ulimit -n; ulimit -Hn; ulimit -c'];
      s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 512, hard: 777 }, { type: 'RLIMIT_CORE', soft: 4096, hard: 8192 }];
    });
    const r = runc('run', '-b', b, 'rl');
    expect(r.stderr).toBe('');
    // busybox's ulimit -c counts 1024-byte blocks
    expect(r.stdout.split('\n').slice(0, 3)).toEqual(['512', '777', '4']);
    const bad = await busyboxBundle(join(dir, 'rl2'), (s) => {
      s.process!.rlimits = [{ type: 'RLIMIT_TEST', soft: 1, hard: 1 }];
    });
    const f = runc('run', '-b', bad, 'rl2');
    expect(f.code).toBe(1);
    expect(f.stderr).toContain('wrong rlimit value: RLIMIT_TEST');
  }, 120_000);

  it('writes namespaced sysctls and refuses host-wide ones', async () => {
    const b = await busyboxBundle(join(dir, 'sc'), (s) => {
      s.process!.args = ['cat', '/proc/sys/net/ipv4/ip_forward', '/proc/sys/net/ipv4/ip_default_ttl'];
      s.linux!.sysctl = { 'net.ipv4.ip_forward': '1', 'net.ipv4.ip_default_ttl': '42' };
    });
    const r = runc('run', '-b', b, 'sc');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1\n42\n');
    const bad = await busyboxBundle(join(dir, 'sc2'), (s) => {
      s.linux!.sysctl = { 'vm.swappiness': '1' };
    });
    expect(runc('run', '-b', bad, 'sc2').stderr).toContain('sysctl "vm.swappiness" is not in a separate kernel namespace');
  }, 120_000);

  it('masks files with /dev/null and directories with a read-only tmpfs, and binds read-only paths', async () => {
    const b = await busyboxBundle(join(dir, 'mp'), (s) => {
      s.root!.readonly = false;
      s.process!.args = ['sh', '-c', 'cat /secret; ls /secrets | wc -l; touch /secrets/x 2>&1; touch /ro/y 2>&1; cat /ro/z'];
      s.linux!.maskedPaths = ['/secret', '/secrets', '/not-there'];
      s.linux!.readonlyPaths = ['/ro', '/also-not-there'];
    });
    writeFileSync(join(b, 'rootfs', 'secret'), 'password\n');
    mkdirSync(join(b, 'rootfs', 'secrets'));
    writeFileSync(join(b, 'rootfs', 'secrets', 'key'), 'k');
    mkdirSync(join(b, 'rootfs', 'ro'));
    writeFileSync(join(b, 'rootfs', 'ro', 'z'), 'readable\n');
    const r = runc('run', '-b', b, 'mp');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('0');
    expect(lines[1]).toMatch(/Read-only file system/);
    expect(lines[2]).toMatch(/Read-only file system/);
    expect(lines[3]).toBe('readable');
    expect(r.stdout).not.toContain('password');
  }, 120_000);

  it('gives / shared propagation when asked: a bind of / sees mounts made later', async () => {
    const b = await busyboxBundle(join(dir, 'sh'), (s) => {
      s.root!.readonly = false;
      s.linux!.rootfsPropagation = 'shared';
      s.process!.args = ['sh', '-c', 'busybox mkdir -p /t /m /src && touch /src/f && mount --rbind / /t && mount --bind /src /m && ls /t/m'];
      s.process!.capabilities = ALL_CAPS;
    });
    const r = runc('run', '-b', b, 'sh');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('f\n');
    const b2 = await busyboxBundle(join(dir, 'pr'), (s) => {
      s.root!.readonly = false;
      s.linux!.rootfsPropagation = 'private';
      s.process!.args = ['sh', '-c', 'busybox mkdir -p /t /m /src && touch /src/f && mount --rbind / /t && mount --bind /src /m && ls /t/m | wc -l'];
      s.process!.capabilities = ALL_CAPS;
    });
    expect(runc('run', '-b', b2, 'pr').stdout).toBe('0\n');
  }, 120_000);

  it('keeps the config from create: a changed config.json does not change what start runs', async () => {
    const b = await busyboxBundle(join(dir, 'cu'), (s) => {
      s.root!.readonly = false;
      s.process!.args = ['sh', '-c', 'echo from-create > /out'];
    });
    expect(runc('create', '-b', b, 'cu').code).toBe(0);
    writeFileSync(join(b, 'config.json'), JSON.stringify({ ociVersion: '1.0.0', root: { path: 'rootfs' } }));
    expect(runc('start', 'cu').code).toBe(0);
    for (let i = 0; i < 100 && !JSON.parse(runc('state', 'cu').stdout || '{}').status?.startsWith('stopped'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(runc('delete', 'cu').code).toBe(0);
    expect(readFileSync(join(b, 'rootfs', 'out'), 'utf8')).toBe('from-create\n');
  }, 120_000);
});
