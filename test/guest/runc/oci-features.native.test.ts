// The OCI features the runtime-tools suite checks, for real: our runc on this host (root needed).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { busyboxBundle, nativeSkipReason, run } from '../helpers/native.ts';

const skip = nativeSkipReason();
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
    // busybox's ulimit -c counts 512-byte blocks
    expect(r.stdout.split('\n').slice(0, 3)).toEqual(['512', '777', '8']);
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
      s.process!.args = ['sh', '-c', 'head -c 100 /secret; ls /secrets; touch /secrets/x 2>&1; touch /ro/y 2>&1; head -n 1 /ro/z'];
      s.linux!.maskedPaths = ['/secret', '/secrets', '/not-there'];
      s.linux!.readonlyPaths = ['/ro', '/also-not-there'];
    });
    writeFileSync(join(b, 'rootfs', 'secret'), 'password\n');
    mkdirSync(join(b, 'rootfs', 'secrets'));
    writeFileSync(join(b, 'rootfs', 'secrets', 'key'), 'k');
    mkdirSync(join(b, 'rootfs', 'ro'));
    writeFileSync(join(b, 'rootfs', 'ro', 'z'), 'readable\n');
    const r = runc('run', '-b', b, 'mp');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // the masked file reads empty, the masked directory lists nothing and takes no writes
    expect(r.stdout).toBe('touch: /secrets/x: Read-only file system\ntouch: /ro/y: Read-only file system\nreadable\n');
    expect(r.stdout).not.toContain('password');
  }, 120_000);

  it('gives the root the propagation asked for (shared: a peer group; private: none)', async () => {
    const rootLine = async (name: string, propagation: string): Promise<string> => {
      const b = await busyboxBundle(join(dir, name), (s) => {
        s.linux!.rootfsPropagation = propagation;
        s.process!.args = ['grep', '-E', '^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / ', '/proc/self/mountinfo'];
      });
      const r = runc('run', '-b', b, name);
      expect(r.stderr).toBe('');
      return r.stdout;
    };
    expect(await rootLine('shared', 'shared')).toMatch(/ shared:\d+ /);
    expect(await rootLine('private', 'private')).not.toMatch(/shared:|master:/);
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
