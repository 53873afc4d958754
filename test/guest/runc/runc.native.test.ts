// Our runc on this host: real namespaces, mounts, capabilities, exit codes.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxBundle, nativeSkipReason, run } from '../helpers/native.ts';


const skip = nativeSkipReason();
const dir = mkdtempSync(join(tmpdir(), 'wb-runc-'));
const root = join(dir, 'state');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runc(...args: string[]) {
  return run(['runc', '--root', root, ...args], { cwd: dir, quiet: args[0] === 'create' });
}

describe.skipIf(skip !== null)(`runc natively${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let bundle = '';
  beforeAll(async () => {
    bundle = await busyboxBundle(join(dir, 'b1'), (s) => {
      s.process!.args = ['grep', '-E', '^Cap(Eff|Bnd)', '/proc/self/status'];
      s.hostname = 'box';
    });
  }, 300_000);

  it('runs a process as PID 1 with the spec caps and a read-only root, and returns its code', async () => {
    const r = runc('run', '-b', bundle, 'caps');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // CAP_KILL, CAP_NET_BIND_SERVICE, CAP_AUDIT_WRITE
    expect(r.stdout).toContain('CapEff:\t0000000020000420');
    expect(r.stdout).toContain('CapBnd:\t0000000020000420');
    expect(existsSync(join(root, 'caps'))).toBe(false);

    const b2 = await busyboxBundle(join(dir, 'b2'), (s) => {
      s.process!.args = ['sh', '-c', 'echo $$ $(hostname); touch /x; exit 7'];
      s.hostname = 'box';
    });
    const r2 = runc('run', '-b', b2, 'code');
    expect(r2.code).toBe(7);
    expect(r2.stdout).toMatch(/^1 /);
    expect(r2.stderr).toContain('Read-only file system');
  });

  it('mounts proc, a /dev tmpfs with the standard nodes, masked and read-only paths', async () => {
    const b = await busyboxBundle(join(dir, 'b3'), (s) => {
      s.process!.args = ['mount'];
    });
    const r = runc('run', '-b', b, 'mounts');
    expect(r.code).toBe(0);
    for (const line of [
      'proc on /proc type proc (rw,nosuid,nodev,noexec',
      'tmpfs on /dev type tmpfs (rw,nosuid',
      'devpts on /dev/pts type devpts',
      'sysfs on /sys type sysfs (ro,',
      'mqueue on /dev/mqueue type mqueue',
      'shm on /dev/shm type tmpfs',
      'on /proc/sys type proc (ro,',
      'tmpfs on /proc/acpi type tmpfs (ro',
    ]) expect(r.stdout).toContain(line);
    const b4 = await busyboxBundle(join(dir, 'b4'), (s) => {
      s.process!.args = ['ls', '-l', '/dev/null', '/dev/zero', '/dev/tty', '/dev/urandom', '/dev/ptmx'];
    });
    const devs = runc('run', '-b', b4, 'devs');
    expect(devs.code).toBe(0);
    expect(devs.stdout).toMatch(/crw-rw-rw- .* 1, +3 .*\/dev\/null/);
    expect(devs.stdout).toMatch(/crw-rw-rw- .* 5, +0 .*\/dev\/tty/);
    expect(devs.stdout).toContain('/dev/ptmx -> pts/ptmx');
  });

  it('create, state, start, kill, delete follow the OCI lifecycle', async () => {
    const b = await busyboxBundle(join(dir, 'b5'), (s) => {
      s.process!.args = ['sleep', '30'];
    });
    expect(runc('create', '-b', b, 'life').code).toBe(0);
    let st = JSON.parse(runc('state', 'life').stdout) as { status: string; pid: number };
    expect(st.status).toBe('created');
    expect(st.pid).toBeGreaterThan(0);
    // until its exec the init goes by runc's name in ps and top
    expect(readFileSync(`/proc/${st.pid}/comm`, 'utf8')).toBe('runc:[2:INIT]\n');
    expect(run(['runc', '--root', root, 'create', '-b', b, 'life']).stderr).toContain('container with id exists: life');
    expect(runc('start', 'life').code).toBe(0);
    st = JSON.parse(runc('state', 'life').stdout) as { status: string; pid: number };
    expect(st.status).toBe('running');
    expect(readFileSync(`/proc/${st.pid}/comm`, 'utf8')).toBe('sleep\n');
    const del = runc('delete', 'life');
    expect(del.code).toBe(1);
    expect(del.stderr).toContain('cannot delete container life that is not stopped: running');
    expect(runc('kill', 'life', 'KILL').code).toBe(0);
    for (let i = 0; i < 50 && JSON.parse(runc('state', 'life').stdout).status !== 'stopped'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(JSON.parse(runc('state', 'life').stdout).status).toBe('stopped');
    expect(runc('delete', 'life').code).toBe(0);
    expect(runc('state', 'life').code).toBe(1);
  });

  it('reports a missing program as Docker expects (exit 127) and leaves no state behind', async () => {
    const b = await busyboxBundle(join(dir, 'b6'), (s) => {
      s.process!.args = ['nosuchprogram'];
    });
    const r = runc('run', '-b', b, 'missing');
    expect(r.code).toBe(127);
    expect(r.stderr).toContain('exec: "nosuchprogram": executable file not found in $PATH');
    expect(existsSync(join(root, 'missing'))).toBe(false);
  });

  it('writes a default spec and refuses to overwrite it', () => {
    const b = join(dir, 'specdir');
    mkdirSync(b);
    expect(runc('spec', '-b', b).code).toBe(0);
    expect(runc('spec', '-b', b).stderr).toContain('File config.json exists. Remove it first');
  });
});
