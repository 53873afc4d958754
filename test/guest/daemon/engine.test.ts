import { describe, expect, it } from 'vitest';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { Engine } from '../../../src/guest/daemon/engine.ts';
import type { LaunchResult, ShimLauncher, ShimTask } from '../../../src/guest/daemon/shim-launcher.ts';
import { NotFound, Conflict } from '../../../src/guest/daemon/errdefs.ts';
import { errorText } from '../../../src/guest/sys/errors.ts';

const ROOT = '/var/lib/docker';
const LAYER = `sha256:${'a'.repeat(64)}`;
const IMAGE_HEX = 'b'.repeat(64);

/** A pulled image as the store keeps it on disk: config, its one layer, and a tag. */
function addImage(sys: FakeSyscalls): void {
  const base = `${ROOT}/image/overlay2`;
  sys.addFile(`${base}/imagedb/content/sha256/${IMAGE_HEX}`, JSON.stringify({ architecture: '386', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [LAYER] } }));
  sys.addFile(`${base}/layerdb/sha256/${'a'.repeat(64)}/cache-id`, 'layer1');
  sys.addFile(`${base}/layerdb/sha256/${'a'.repeat(64)}/size`, '10');
  sys.addDir(`${ROOT}/overlay2/layer1/diff`);
  sys.addFile(`${base}/repositories.json`, JSON.stringify({ Repositories: { alpine: { 'alpine:latest': `sha256:${IMAGE_HEX}` } } }));
}

/** Plays containerd-shim: each launch "starts" a container; exit() ends the latest one. */
class FakeLauncher implements ShimLauncher {
  launches: ShimTask[] = [];
  private ends = new Map<string, (code: number | null) => void>();
  private live = new Set<number>();
  private nextPid = 500;
  constructor(private sys: FakeSyscalls) {}

  launch(task: ShimTask, beforeRelease: () => void): LaunchResult {
    this.launches.push(task);
    beforeRelease();
    const shimPid = this.nextPid++;
    this.live.add(shimPid);
    return {
      ok: true,
      shimPid,
      containerPid: this.nextPid++,
      watch: (onEnd) => this.ends.set(task.id, (code) => {
        // a status line comes before the shim's own end
        if (code === null || this.sys.nodeAt(task.exitFile)) this.live.delete(shimPid);
        onEnd(code);
      }),
      close: () => undefined,
    };
  }

  alive(pid: number): boolean {
    return this.live.has(pid);
  }

  reap(): void {}

  /** The container's process exits with code: the shim writes the exit file and reports. */
  exit(task: ShimTask, code: number): void {
    this.sys.addFile(task.exitFile, JSON.stringify({ ExitCode: code, FinishedAt: new Date(this.sys.clockMs).toISOString(), OOMKilled: false, Error: '' }));
    this.ends.get(task.id)!(code);
  }

  /**
   * The exit on a full disk: no exit file, only the code on the shim's status line, which dockerd
   * may read before the shim has ended (so it still looks alive).
   */
  exitWithoutFile(task: ShimTask, code: number): void {
    this.ends.get(task.id)!(code);
  }
}

function engine(): { sys: FakeSyscalls; e: Engine; shim: FakeLauncher } {
  const sys = new FakeSyscalls();
  sys.clockMs = Date.parse('2026-01-01T00:00:00Z');
  addImage(sys);
  const shim = new FakeLauncher(sys);
  const e = new Engine(sys, { root: ROOT, execRoot: '/run/docker', registry: '/registry', pullMode: 'copy', selfExe: '/usr/bin/whalebone' }, { launcher: shim, now: () => sys.clockMs });
  return { sys, e, shim };
}

describe('engine on the Syscalls fake', () => {
  it('create -> start -> exit -> on-failure restart with backoff, until the retry limit', () => {
    const { sys, e, shim } = engine();
    const c = e.create('web', { Image: 'alpine', HostConfig: { NetworkMode: 'none', RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 1 } } });
    expect(c.Name).toBe('/web');
    expect(e.get('web').State.Status).toBe('created');

    expect(e.start('web')).toBe('started');
    expect(shim.launches).toHaveLength(1);
    expect(shim.launches[0]!.exitFile).toBe(`${ROOT}/containers/${c.Id}/exit.json`);
    const running = e.get('web').State;
    expect(running).toMatchObject({ Status: 'running', Running: true, StartedAt: '2026-01-01T00:00:00.000Z' });
    expect(e.start('web')).toBe('already');

    sys.advance(2000);
    shim.exit(shim.launches[0]!, 3);
    // a failure: the policy schedules a restart (Docker's first backoff is 100 ms)
    expect(e.get('web').State).toMatchObject({ Running: false, Restarting: true, ExitCode: 3, FinishedAt: '2026-01-01T00:00:02.000Z' });
    expect(shim.launches).toHaveLength(1);
    sys.advance(100);
    expect(shim.launches).toHaveLength(2);
    expect(e.get('web').State.Status).toBe('running');
    expect(e.get('web').RestartCount).toBe(1);

    // the retry limit is reached: the next failure stays exited
    shim.exit(shim.launches[1]!, 3);
    sys.advance(60_000);
    expect(shim.launches).toHaveLength(2);
    expect(e.get('web').State).toMatchObject({ Status: 'exited', Restarting: false, ExitCode: 3 });

    // the record on disk says the same, for the next daemon
    const saved = JSON.parse(new TextDecoder().decode(sys.readFile(`${ROOT}/containers/${c.Id}/config.v2.json`))) as { State: { Status: string; ExitCode: number } };
    expect(saved.State).toMatchObject({ Status: 'exited', ExitCode: 3 });
  });

  it('throws typed errors with Docker messages', () => {
    const { e } = engine();
    expect(() => e.get('nope')).toThrow(NotFound);
    expect(() => e.get('nope')).toThrow('No such container: nope');
    e.create('one', { Image: 'alpine', HostConfig: { NetworkMode: 'none' } });
    expect(() => e.create('one', { Image: 'alpine' })).toThrow(Conflict);
    expect(() => e.findImage('busybox')).toThrow('No such image: busybox:latest');
  });
  it('-v /path makes an anonymous volume; -v relative is refused in Docker\'s words', () => {
    const { e } = engine();
    const c = e.create('anon', { Image: 'alpine', HostConfig: { NetworkMode: 'none', Binds: ['/data', 'named:/named'] } });
    const anon = c.Mounts.find((m) => m.Destination === '/data');
    expect(anon).toMatchObject({ Type: 'volume', Driver: 'local', RW: true });
    expect(anon?.Name).toMatch(/^[0-9a-f]{64}$/);
    expect(anon?.Source).toBe(`${ROOT}/volumes/${anon?.Name}/_data`);
    expect(c.Mounts.find((m) => m.Destination === '/named')).toMatchObject({ Type: 'volume', Name: 'named' });
    expect(e.volumes().map((v) => v.Name).sort()).toEqual([anon?.Name, 'named'].sort());
    // docker rm -v takes the anonymous one with the container and keeps the named one
    e.remove('anon', false, true);
    expect(e.volumes().map((v) => v.Name)).toEqual(['named']);
    expect(() => e.create('rel', { Image: 'alpine', HostConfig: { NetworkMode: 'none', Binds: ['data'] } })).toThrow("invalid volume specification: 'data'");
  });
  it('gives runc the tmpfs options of --tmpfs and of --mount type=tmpfs (tmpfs-size, tmpfs-mode, readonly)', () => {
    const { sys, e, shim } = engine();
    e.create('tm', {
      Image: 'alpine',
      HostConfig: {
        NetworkMode: 'none', Tmpfs: { '/scratch': 'size=1m' },
        Mounts: [{ Type: 'tmpfs', Target: '/cache', ReadOnly: true, TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1770 } }, { Type: 'tmpfs', Target: '/plain' }],
      },
    });
    e.start('tm');
    const spec = JSON.parse(new TextDecoder().decode(sys.readFile(`${shim.launches[0]!.bundle}/config.json`))) as { mounts: { destination: string; type: string; options: string[] }[] };
    const opts = (d: string) => spec.mounts.find((m) => m.destination === d)?.options;
    expect(opts('/scratch')).toEqual(['nosuid', 'nodev', 'noexec', 'size=1m']);
    expect(opts('/cache')).toEqual(['nosuid', 'nodev', 'noexec', 'size=1048576', 'mode=1770', 'ro']);
    expect(opts('/plain')).toEqual(['nosuid', 'nodev', 'noexec']);
    expect(e.get('tm').Mounts.find((m) => m.Destination === '/cache')).toMatchObject({ Type: 'tmpfs', Source: '', RW: false });
  });

  it('on a full disk: create fails with ENOSPC and leaves nothing; an exit is still recorded, and written once space is freed', () => {
    const { sys, e, shim } = engine();
    const logged: string[] = [];
    e.log = (m) => logged.push(m);
    e.create('web', { Image: 'alpine', HostConfig: { NetworkMode: 'none' } });
    expect(e.start('web')).toBe('started');
    const id = e.get('web').Id;
    const record = `${ROOT}/containers/${id}/config.v2.json`;
    const onDisk = (): string => new TextDecoder().decode(sys.nodeAt(record)!.data);
    const before = onDisk();
    // the learner's filler takes the last byte
    sys.diskUnder = ROOT;
    sys.diskCapacity = sys.diskUsed();

    let err: unknown;
    try {
      e.create('more', { Image: 'alpine', HostConfig: { NetworkMode: 'none' } });
    } catch (x) {
      err = x;
    }
    expect(errorText(err)).toMatch(/^write \/var\/lib\/docker\/containers\/[0-9a-f]{64}\.tmp[^ ]*: no space left on device$/);
    expect(() => e.get('more')).toThrow(NotFound);
    expect(sys.readdir(`${ROOT}/containers`).map((d) => d.name)).toEqual([id]);

    // the container exits; its shim could not write exit.json either, only report the code
    let woken = false;
    e.onExit(id, () => {
      woken = true;
    });
    shim.exitWithoutFile(shim.launches[0]!, 3);
    expect(woken).toBe(true);
    expect(e.get('web').State).toMatchObject({ Status: 'exited', Running: false, ExitCode: 3 });
    expect(onDisk()).toBe(before);
    expect(e.unsavedRecords()).toEqual([id]);
    expect(logged).toEqual([expect.stringMatching(new RegExp(`^failed to save container ${id}: write .*: no space left on device$`))]);

    // still full: poll tries again quietly; freed: the record catches up
    e.poll();
    expect(logged).toHaveLength(1);
    sys.diskCapacity = null;
    e.poll();
    expect(e.unsavedRecords()).toEqual([]);
    expect(JSON.parse(onDisk())).toMatchObject({ State: { Status: 'exited', ExitCode: 3 } });
    expect(e.create('more', { Image: 'alpine', HostConfig: { NetworkMode: 'none' } }).Name).toBe('/more');
  });
});
