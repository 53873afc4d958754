// docker compose against our dockerd running natively (busybox under qemu-user, so commands use
// full paths): a detached up with labels, exec and run --rm through the docker CLI's streams,
// attached up with --abort-on-container-exit, errors that must reach stderr intact (QuickJS drops
// a rejection that has no handler yet), and down -v.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerdSkipReason, startDockerd, type NativeDockerd } from '../helpers/native-dockerd.ts';
import { BINARY } from '../helpers/native.ts';

const skip = dockerdSkipReason();

const FILE = `services:
  web:
    image: busybox
    command: ["/bin/sleep", "300"]
    stop_signal: SIGKILL
  once:
    image: busybox
    depends_on: [web]
    command: ["/bin/echo", "one-shot done"]
volumes:
  data:
`;

describe.skipIf(skip !== null)(`docker compose natively${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let d: NativeDockerd;
  let dir: string;
  const compose = (...args: string[]) => {
    const r = spawnSync(BINARY, ['docker', 'compose', ...args], { cwd: dir, env: d.env, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  beforeAll(async () => {
    d = await startDockerd('wb-compose-');
    expect(d.docker(['pull', '-q', 'busybox']).code).toBe(0);
    dir = join(mkdtempSync(join(tmpdir(), 'wb-compose-proj-')), 'shop');
    spawnSync('mkdir', ['-p', dir]);
    writeFileSync(join(dir, 'compose.yaml'), FILE);
  }, 120_000);
  afterAll(() => {
    d?.stop();
    if (dir) rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('brings the project up detached with compose names and labels', () => {
    const up = compose('up', '-d');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain(' Container shop-web-1  Started\n');
    const names = d.docker(['ps', '-a', '--format', '{{.Names}}']).stdout.split('\n').filter(Boolean).sort();
    expect(names).toEqual(['shop-once-1', 'shop-web-1']);
    const labels = JSON.parse(d.docker(['inspect', '-f', '{{json .Config.Labels}}', 'shop-once-1']).stdout) as Record<string, string>;
    expect(labels).toMatchObject({ 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'once', 'com.docker.compose.depends_on': 'web:service_started:false' });
    expect(compose('logs', '--no-color', 'once').stdout).toBe('once-1  | one-shot done\n');
  });

  it('runs exec and run --rm through the docker CLI, with their exit codes', () => {
    expect(compose('exec', '-T', 'web', '/bin/sh', '-c', '/bin/echo in-web; exit 3')).toMatchObject({ code: 3, stdout: 'in-web\n' });
    const run = compose('run', '--rm', 'once', '/bin/echo', 'one-off');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('one-off\n');
    expect(d.docker(['ps', '-a', '--format', '{{.Names}}']).stdout).not.toContain('run');
  });

  it('prints errors of asynchronous commands instead of losing them', () => {
    expect(compose('run', 'nosuch', '/bin/true')).toMatchObject({ code: 1, stderr: 'no such service: nosuch\n' });
    const down = spawnSync(BINARY, ['docker', 'compose', 'up'], { cwd: dir, env: { ...d.env, DOCKER_HOST: 'unix:///nonexistent.sock' }, encoding: 'utf8' });
    expect(down.stderr).toBe('Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon running?\n');
  });

  it('up --abort-on-container-exit follows the logs and stops the stack when one exits', () => {
    const r = compose('up', '--abort-on-container-exit', '--no-color', '--force-recreate');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Attaching to once-1, web-1\n');
    expect(r.stdout).toContain('once-1  | one-shot done\n');
    expect(r.stdout).toContain('once-1 exited with code 0\nAborting on container exit...\n');
    expect(d.docker(['inspect', '-f', '{{.State.Status}}', 'shop-web-1']).stdout).toBe('exited\n');
  });

  it('down -v removes everything', () => {
    const r = compose('down', '-v');
    expect(r.code, r.stderr).toBe(0);
    expect(d.docker(['ps', '-aq']).stdout).toBe('');
  });
});
