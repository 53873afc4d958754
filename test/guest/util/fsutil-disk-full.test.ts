// A full disk (the guest's tmpfs) against the file helpers and the records dockerd keeps: a write
// that fails with ENOSPC reports it and leaves the file it was replacing as it was, with no
// temporary file left behind; once space is freed the same write works.
import { describe, expect, it } from 'vitest';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { errorText, isErrno } from '../../../src/guest/sys/errors.ts';
import { O_CREAT, O_WRONLY } from '../../../src/guest/sys/constants.ts';
import { readText, writeFileAtomic } from '../../../src/guest/util/fsutil.ts';
import { ContainerStore } from '../../../src/guest/daemon/containers.ts';
import type { ContainerRecord } from '../../../src/guest/daemon/model.ts';

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
};

describe('the fake disk (diskCapacity)', () => {
  it('cuts a write short at the limit, then fails the next with ENOSPC', () => {
    const sys = new FakeSyscalls();
    sys.addDir('/var');
    sys.diskCapacity = 10;
    const fd = sys.open('/var/big', O_WRONLY | O_CREAT, 0o644);
    expect(sys.write(fd, new Uint8Array(6))).toBe(6);
    expect(sys.write(fd, new Uint8Array(6))).toBe(4);
    expect(isErrno(thrown(() => sys.write(fd, new Uint8Array(1))), 'ENOSPC')).toBe(true);
    expect(sys.diskUsed()).toBe(10);
    // deleting the filler frees the space
    sys.close(fd);
    sys.unlink('/var/big');
    expect(sys.diskUsed()).toBe(0);
    sys.writeFile('/var/small', 'fits');
    expect(readText(sys, '/var/small')).toBe('fits');
  });

  it('leaves writeFile\'s target cut short, as open(O_TRUNC) and write do', () => {
    const sys = new FakeSyscalls();
    sys.addFile('/var/f', 'old content');
    sys.addFile('/var/other', 'xxx');
    // 11 bytes free once the old content is truncated away
    sys.diskCapacity = 14;
    expect(isErrno(thrown(() => sys.writeFile('/var/f', 'a longer new content')), 'ENOSPC')).toBe(true);
    expect(readText(sys, '/var/f')).toBe('a longer ne');
  });

  it('counts only files under diskUnder, never /dev, /proc or /sys', () => {
    const sys = new FakeSyscalls();
    sys.addDir('/var/lib/docker');
    sys.addDir('/sys/fs/cgroup/docker');
    sys.diskCapacity = 0;
    sys.diskUnder = '/var/lib/docker';
    sys.writeFile('/tmp/elsewhere', 'fine');
    sys.writeFile('/sys/fs/cgroup/docker/pids.max', '512');
    expect(isErrno(thrown(() => sys.writeFile('/var/lib/docker/x', 'no')), 'ENOSPC')).toBe(true);
  });
});

describe('writeFileAtomic on a full disk', () => {
  it('reports ENOSPC, keeps the old file intact and leaves no temporary file', () => {
    const sys = new FakeSyscalls();
    sys.addFile('/var/lib/docker/repositories.json', '{"Repositories":{"busybox":{}}}');
    sys.diskCapacity = sys.diskUsed() + 8;
    const e = thrown(() => writeFileAtomic(sys, '/var/lib/docker/repositories.json', '{"Repositories":{"busybox":{},"nginx":{}}}'));
    expect(isErrno(e, 'ENOSPC')).toBe(true);
    // named by path, in Docker's (Go's) words, as dockerd's API error carries it
    expect(errorText(e)).toMatch(/^write \/var\/lib\/docker\/repositories\.json\.tmp-\d+-\d+: no space left on device$/);
    expect(readText(sys, '/var/lib/docker/repositories.json')).toBe('{"Repositories":{"busybox":{}}}');
    expect(sys.readdir('/var/lib/docker').map((d) => d.name)).toEqual(['repositories.json']);
    // after the learner frees space, the same write goes through
    sys.diskCapacity = null;
    writeFileAtomic(sys, '/var/lib/docker/repositories.json', '{"Repositories":{}}');
    expect(readText(sys, '/var/lib/docker/repositories.json')).toBe('{"Repositories":{}}');
  });

  it('keeps a container record that cannot be rewritten, and a restarted daemon reads the old one', () => {
    const sys = new FakeSyscalls();
    const dir = '/var/lib/docker/containers';
    const id = 'a'.repeat(64);
    sys.addDir(`${dir}/${id}`);
    const store = new ContainerStore(sys, dir);
    const rec = { Id: id, Name: '/web', State: { Status: 'running', Running: true } } as unknown as ContainerRecord;
    store.save(rec);
    sys.diskCapacity = sys.diskUsed();
    const exited = { ...rec, State: { Status: 'exited', Running: false, ExitCode: 0 } } as unknown as ContainerRecord;
    expect(isErrno(thrown(() => store.save(exited)), 'ENOSPC')).toBe(true);
    const again = new ContainerStore(sys, dir);
    again.load();
    expect(again.values()).toEqual([rec]);
    expect(sys.readdir(`${dir}/${id}`).map((d) => d.name)).toEqual(['config.v2.json']);
  });
});
