// Health checks on this host: our dockerd execs the check through the real shim and runc, and
// the official client reads the result (ps status, --filter health=, inspect, events) as it
// reads Docker's; our client gives the same refusals as the official one. Intervals are 1 s;
// states are waited for, timings not asserted. (Checks use shell builtins only: under qemu-user
// busybox sh cannot run its own applets.)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../../scripts/lib/cache.ts';
import { BINARY, nativeSkipReason } from '../helpers/native.ts';

const REGISTRY = join(repoRoot, 'vm-images', 'dist', 'registry');
const DOCKER = '/usr/local/bin/docker';
const skipReason = nativeSkipReason()
  ?? (existsSync(join(REGISTRY, 'busybox', 'index.json')) ? null : `offline registry not built (${REGISTRY}); run npm run build:images`)
  ?? (existsSync(DOCKER) ? null : `official Docker client missing at ${DOCKER}`);
// a CI run must not pass by skipping
const skip = skipReason !== null && process.env['CI'] !== 'true';

const dir = mkdtempSync(join(tmpdir(), 'wb-health-'));
const sock = join(dir, 'docker.sock');
const env = { ...process.env, DOCKER_HOST: `unix://${sock}` };
let daemon: ChildProcess | null = null;

const daemonLogPath = join(dir, 'dockerd.log');

function startDaemon(): ChildProcess {
  // its log is kept: a failure below shows what the daemon said
  const log = openSync(daemonLogPath, 'a');
  try {
    return spawn(BINARY, ['dockerd', '-H', `unix://${sock}`, '--data-root', join(dir, 'lib'), '--exec-root', join(dir, 'run'), '--pidfile', join(dir, 'd.pid'), '--registry', REGISTRY, '--pull-mode', 'lazy'], { stdio: ['ignore', log, log], detached: true });
  } finally {
    closeSync(log);
  }
}

const daemonLog = (): string => `dockerd's log:\n${existsSync(daemonLogPath) ? readFileSync(daemonLogPath, 'utf8').slice(-3000) : '(none)'}`;

async function waitSock(): Promise<void> {
  for (let i = 0; i < 200 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
}

function docker(args: string[], official = false) {
  const [cmd, ...pre] = official ? [DOCKER] : [BINARY, 'docker'];
  const r = spawnSync(cmd!, [...pre, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

async function waitFor(name: string, want: string): Promise<string> {
  let s = '';
  for (let i = 0; i < 120; i++) {
    s = docker(['inspect', '-f', '{{.State.Health.Status}}', name], true).stdout.trim();
    if (s === want) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return s;
}

describe.skipIf(skip)(`health checks natively${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(async () => {
    if (skipReason) throw new Error(skipReason);
    daemon = startDaemon();
    await waitSock();
    expect(docker(['pull', '-q', 'busybox']).code).toBe(0);
  });
  afterAll(() => {
    const ids = docker(['ps', '-aq']).stdout.split('\n').filter((x) => x);
    if (ids.length) docker(['rm', '-f', ...ids]);
    if (daemon?.pid) process.kill(daemon.pid, 'SIGKILL');
    spawnSync('sh', ['-c', `grep ' ${dir}' /proc/mounts | cut -d' ' -f2 | sort -r | xargs -r umount -l`]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('turns a passing check healthy and a failing one unhealthy, as the official client sees them', async () => {
    expect(docker(['run', '-d', '--name', 'ok', '--health-cmd', 'test -x /bin/sh', '--health-interval', '1s', 'busybox', 'sleep', '300']).code).toBe(0);
    // the official client's own flags make the same request
    expect(docker(['run', '-d', '--name', 'bad', '--health-cmd', 'echo nope; exit 1', '--health-interval', '1s', '--health-retries', '2', 'busybox', 'sleep', '300'], true).code).toBe(0);
    expect(await waitFor('ok', 'healthy')).toBe('healthy');
    expect(await waitFor('bad', 'unhealthy')).toBe('unhealthy');
    const ps = docker(['ps', '--format', '{{.Names}}|{{.Status}}'], true).stdout;
    expect(ps).toMatch(/^ok\|Up .+ \(healthy\)$/m);
    expect(ps).toMatch(/^bad\|Up .+ \(unhealthy\)$/m);
    expect(docker(['ps', '--filter', 'health=unhealthy', '--format', '{{.Names}}'], true).stdout).toBe('bad\n');
    expect(docker(['ps', '--filter', 'health=none', '--format', '{{.Names}}'], true).stdout).toBe('');
    const bad = docker(['ps', '--filter', 'health=sick'], true);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Unrecognised filter value for health: sick');
    const [c] = JSON.parse(docker(['inspect', 'bad'], true).stdout) as { Config: { Healthcheck: unknown }; State: { Health: { FailingStreak: number; Log: { ExitCode: number; Output: string }[] } } }[];
    expect(c!.Config.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'echo nope; exit 1'], Interval: 1e9, Retries: 2 });
    expect(c!.State.Health.FailingStreak).toBeGreaterThanOrEqual(2);
    expect(c!.State.Health.Log.at(-1)).toMatchObject({ ExitCode: 1, Output: 'nope\n' });
    // the client sends `--until 0s` as whole seconds (as Docker's does), so an event from this
    // very second would be after it: wait into the next one
    await new Promise((r) => setTimeout(r, 1100));
    const events = docker(['events', '--since', '5m', '--until', '0s', '--filter', 'event=health_status', '--format', '{{.Action}} {{.Actor.Attributes.name}}'], true).stdout;
    expect(events, daemonLog()).toContain('health_status: healthy ok\n');
    expect(events, daemonLog()).toContain('health_status: unhealthy bad\n');
  });

  it('reports unhealthy once stopped, and starts over at "starting" when started again', async () => {
    expect(docker(['stop', '-t', '0', 'ok']).code).toBe(0);
    expect(docker(['inspect', '-f', '{{.State.Health.Status}}', 'ok'], true).stdout).toBe('unhealthy\n');
    expect(docker(['start', 'ok']).code).toBe(0);
    const s = docker(['inspect', '-f', '{{.State.Health.Status}}', 'ok'], true).stdout.trim();
    expect(['starting', 'healthy']).toContain(s);
    expect(await waitFor('ok', 'healthy')).toBe('healthy');
  });

  it('keeps the health state across a daemon restart and goes on probing', async () => {
    const streak = (): number => Number(docker(['inspect', '-f', '{{.State.Health.FailingStreak}}', 'bad'], true).stdout.trim());
    process.kill(daemon!.pid!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    daemon = startDaemon();
    for (let i = 0; i < 100 && docker(['version']).code !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(docker(['inspect', '-f', '{{.State.Health.Status}}', 'bad'], true).stdout).toBe('unhealthy\n');
    const before = streak();
    let after = before;
    for (let i = 0; i < 60 && after <= before; i++) {
      await new Promise((r) => setTimeout(r, 500));
      after = streak();
    }
    expect(after).toBeGreaterThan(before);
    expect(await waitFor('ok', 'healthy')).toBe('healthy');
  });

  it('refuses bad flags as the official client does', () => {
    for (const args of [['--no-healthcheck', '--health-cmd', 'true'], ['--health-interval', '5'], ['--health-retries', '-1', '--health-cmd', 'true']]) {
      const ours = docker(['run', '-d', ...args, 'busybox']);
      const theirs = docker(['run', '-d', ...args, 'busybox'], true);
      expect(ours.code).toBe(125);
      expect(ours.stderr).toBe(theirs.stderr);
    }
    const tiny = docker(['run', '-d', '--health-cmd', 'true', '--health-interval', '100ns', 'busybox']);
    expect(tiny.code).toBe(125);
    expect(tiny.stderr).toContain('Error response from daemon: Interval in Healthcheck cannot be less than 1ms');
  });
});
