// dockerd, containerd-shim and runc on this host, driven by the official Docker client and by our
// own docker CLI: pull from the offline registry, run, ps, stop, logs, inspect, volumes, prune,
// and a daemon restart with a container still running.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../../scripts/lib/cache.ts';
import { BINARY, nativeSkipReason, waitForSocket } from '../helpers/native.ts';
import { skipOutsideCi } from '../../helpers/ci.ts';

const REGISTRY = join(repoRoot, 'vm-images', 'dist', 'registry');
const DOCKER = '/usr/local/bin/docker';
const skip = skipOutsideCi(nativeSkipReason() ?? (existsSync(join(REGISTRY, 'busybox', 'index.json')) ? null : `offline registry not built (${REGISTRY}); run npm run build:images`) ?? (existsSync(DOCKER) ? null : `official Docker client missing at ${DOCKER}`), 'tests with the official Docker client');

const dir = mkdtempSync(join(tmpdir(), 'wb-dockerd-'));
const sock = join(dir, 'docker.sock');
const env = { ...process.env, DOCKER_HOST: `unix://${sock}` };
let daemon: ChildProcess | null = null;

function startDaemon(mode: 'lazy' | 'copy', sockPath = sock, root = join(dir, 'lib')): ChildProcess {
  const d = spawn(BINARY, ['dockerd', '-H', `unix://${sockPath}`, '--data-root', root, '--exec-root', join(dir, 'run'), '--pidfile', join(dir, `d-${mode}.pid`), '--registry', REGISTRY, '--pull-mode', mode, '--bridge', 'none'], { stdio: 'ignore', detached: true });
  return d;
}

async function waitFor(path: string): Promise<void> {
  await waitForSocket(path);
}

/** Our CLI (through the binary) or the official one. */
function docker(args: string[], official = false, input = '') {
  const r = official
    ? spawnSync(DOCKER, args, { env, encoding: 'utf8', timeout: 60_000, input })
    : spawnSync(BINARY, ['docker', ...args], { env, encoding: 'utf8', timeout: 60_000, input });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function stopDaemon(d: ChildProcess | null): void {
  if (d?.pid) {
    try {
      process.kill(d.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

describe.skipIf(skip !== null)(`dockerd natively${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    daemon = startDaemon('lazy');
    await waitFor(sock);
  });
  afterAll(() => {
    // containers first (shims outlive dockerd by design), then the daemon
    const ids = docker(['ps', '-aq']).stdout.split('\n').filter((x) => x);
    if (ids.length) docker(['rm', '-f', ...ids]);
    stopDaemon(daemon);
    spawnSync('sh', ['-c', `grep ' ${dir}' /proc/mounts | cut -d' ' -f2 | sort -r | xargs -r umount -l`]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the official client: version negotiation, ping, info', () => {
    const v = docker(['version'], true);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('Server: Whalebone Engine');
    expect(v.stdout).toMatch(/API version:\s+1\.45 \(minimum version 1\.24\)/);
    const info = docker(['info', '--format', '{{.Driver}} {{.CgroupVersion}}'], true);
    expect(info.stdout.trim()).toBe('overlay2 2');
  });

  it('pulls with progress, then says the image is up to date', () => {
    const p = docker(['pull', 'busybox']);
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/^Using default tag: latest\nlatest: Pulling from library\/busybox\n[0-9a-f]{12}: Pulling fs layer\n/);
    expect(p.stdout).toMatch(/[0-9a-f]{12}: Pull complete\nDigest: sha256:[0-9a-f]{64}\nStatus: Downloaded newer image for busybox:latest\ndocker.io\/library\/busybox:latest\n$/);
    const again = docker(['pull', 'busybox'], true);
    expect(again.stdout).toContain('Status: Image is up to date for busybox:latest');
    const images = docker(['images']);
    expect(images.stdout).toMatch(/^REPOSITORY   TAG       IMAGE ID       CREATED +SIZE\nbusybox      latest    [0-9a-f]{12}   .+ ago +[\d.]+[kM]B\n$/);
    const missing = docker(['pull', 'nosuchimage']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('repository does not exist in the offline registry');
  });

  it('runs containers in the foreground with output and exit codes, from both clients', () => {
    for (const official of [false, true]) {
      const r = docker(['run', '--rm', 'busybox', 'echo', 'hi'], official);
      expect(r.stdout).toBe('hi\n');
      expect(r.code).toBe(0);
      const e = docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3'], official);
      expect(e.code).toBe(3);
      expect(e.stdout).toBe('out\n');
      expect(e.stderr).toBe('err\n');
      const nf = docker(['run', '--rm', 'busybox', 'nosuchcmd'], official);
      expect(nf.code).toBe(127);
      expect(nf.stderr).toContain('exec: "nosuchcmd": executable file not found in $PATH');
    }
  });

  it('records the exit of a container that closed its output long before it ended', () => {
    // the shim sees end-of-file on both pipes first and must still wait for the exit itself
    const r = docker(['run', '--rm', 'busybox', 'sh', '-c', 'exec 1>&- 2>&-; exec /bin/sleep 1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const init = docker(['run', '--rm', '--init', 'busybox', 'sh', '-c', 'exit 4']);
    expect(init.code).toBe(4);
  });

  it('runs detached: ps shows it Up, stop makes it Exited, logs and inspect work', () => {
    // (the program is the container's first process: on hosts that run i386 through qemu-user,
    // busybox sh cannot exec its own applets)
    const id = docker(['run', '-d', '--name', 'web', 'busybox', 'sleep', '60']).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const ps = docker(['ps']);
    expect(ps.stdout.split('\n')[0]).toMatch(/^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$/);
    expect(ps.stdout).toMatch(new RegExp(`${id.slice(0, 12)}   busybox   "sleep 60"   .+ago +Up .+ +web\\n`));
    const official = docker(['ps', '--format', '{{.Names}} {{.Status}}'], true);
    expect(official.stdout).toMatch(/^web Up /);
    expect(docker(['rm', 'web']).stderr).toContain('cannot remove container "/web": container is running: stop the container before removing or force remove');
    expect(docker(['run', '--name', 'web', 'busybox', 'true']).stderr).toContain('Conflict. The container name "/web" is already in use');
    const stop = docker(['stop', '-t', '1', 'web']);
    expect(stop.stdout).toBe('web\n');
    expect(docker(['ps', '-a', '--filter', 'name=web', '--format', '{{.Status}}']).stdout).toMatch(/^Exited \(137\) /);
    expect(docker(['run', '--name', 'greeter', '-e', 'GREETING=hello', 'busybox', 'sh', '-c', 'echo $GREETING']).stdout).toBe('hello\n');
    expect(docker(['logs', 'greeter']).stdout).toBe('hello\n');
    expect(docker(['logs', 'greeter'], true).stdout).toBe('hello\n');
    const insp = docker(['inspect', 'web']);
    expect(insp.stdout).toMatch(/^\[\n {4}\{\n {8}"Id": "/);
    const parsed = JSON.parse(insp.stdout) as { Name: string; State: { Status: string; ExitCode: number } }[];
    expect(parsed[0]!.Name).toBe('/web');
    expect(parsed[0]!.State).toMatchObject({ Status: 'exited', ExitCode: 137 });
    expect(docker(['inspect', '-f', '{{.State.ExitCode}}', id.slice(0, 5)], true).stdout.trim()).toBe('137');
    expect(docker(['rm', 'web']).stdout).toBe('web\n');
    expect(docker(['rm', 'web']).stderr).toBe('Error response from daemon: No such container: web\n');
  });

  it('keeps named volume data for the next container', () => {
    expect(docker(['run', '--rm', '-v', 'data:/data', 'busybox', 'sh', '-c', 'echo x > /data/f']).code).toBe(0);
    expect(docker(['run', '--rm', '-v', 'data:/data', 'busybox', 'cat', '/data/f']).stdout).toBe('x\n');
    expect(docker(['volume', 'ls']).stdout).toMatch(/^DRIVER +VOLUME NAME\nlocal +data\n/);
    const inUse = docker(['run', '-d', '--name', 'holder', '-v', 'data:/data', 'busybox', 'sleep', '30']);
    expect(inUse.code).toBe(0);
    expect(docker(['volume', 'rm', 'data']).stderr).toContain('volume is in use');
    docker(['rm', '-f', 'holder']);
    expect(docker(['volume', 'rm', 'data']).stdout).toBe('data\n');
  });

  it('finds a running container again after a daemon restart, and its exit later', async () => {
    // The container runs until the test tells it to end (a file in a bound folder), not for a
    // fixed time that a slow restart could outlast.
    const gate = mkdtempSync(join(dir, 'gate-'));
    expect(docker(['run', '-d', '--name', 'survivor', '-v', `${gate}:/gate`, 'busybox', 'sh', '-c', 'while [ ! -e /gate/go ]; do /bin/sleep 0.1; done']).code).toBe(0);
    const old = daemon;
    const gone = old && old.exitCode === null && old.signalCode === null ? new Promise((r) => old.once('exit', r)) : Promise.resolve();
    stopDaemon(old);
    await gone;
    rmSync(sock, { force: true });
    daemon = startDaemon('lazy');
    await waitFor(sock);
    expect(docker(['ps', '--format', '{{.Names}} {{.State}}']).stdout).toContain('survivor running');
    writeFileSync(join(gate, 'go'), '');
    const deadline = Date.now() + 30_000;
    let status = '';
    while ((status = docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'survivor']).stdout.trim()) !== 'exited 0' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(status, JSON.stringify(docker(['logs', 'survivor']))).toBe('exited 0');
  }, 90_000);

  it('prunes after asking, and reports the space reclaimed', () => {
    docker(['run', 'busybox', 'true']);
    const no = docker(['system', 'prune'], false, 'n\n');
    expect(no.stdout).toContain('WARNING! This will remove:\n  - all stopped containers\n');
    expect(no.stdout).toContain('Are you sure you want to continue? [y/N] ');
    expect(docker(['ps', '-aq']).stdout.trim()).not.toBe('');
    const yes = docker(['system', 'prune', '-f']);
    expect(yes.stdout).toMatch(/Deleted Containers:\n[0-9a-f]{64}\n/);
    expect(yes.stdout).toMatch(/Total reclaimed space: [\d.]+k?B\n$/);
    expect(docker(['ps', '-aq']).stdout).toBe('');
  });

  it('pulls in copy mode: digest-checked, gunzipped and unpacked into the layer store', async () => {
    const s2 = join(dir, 'copy.sock');
    const root2 = join(dir, 'lib-copy');
    const d2 = startDaemon('copy', s2, root2);
    await waitFor(s2);
    try {
      const r = spawnSync(BINARY, ['docker', 'pull', 'hello-world'], { env: { ...env, DOCKER_HOST: `unix://${s2}` }, encoding: 'utf8', timeout: 120_000 });
      expect(r.stdout).toContain('Status: Downloaded newer image for hello-world:latest');
      const layers = readdirSync(join(root2, 'overlay2'));
      expect(layers.length).toBe(1);
      expect(readdirSync(join(root2, 'overlay2', layers[0]!, 'diff')).length).toBeGreaterThan(0);
      expect(readdirSync(join(root2, 'overlay2')).some((n) => n.includes('.tmp'))).toBe(false);
    } finally {
      stopDaemon(d2);
    }
  }, 180_000);
});
