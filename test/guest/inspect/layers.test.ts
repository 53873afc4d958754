import { describe, expect, it } from 'vitest';
import { LayerCollector, LAYER_BUDGET } from '../../../src/guest/inspect/layers.ts';
import { parseOverlayMountinfo } from '../../../src/guest/inspect/parse.ts';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { S_IFCHR } from '../../../src/guest/sys/constants.ts';
import { mkdirp } from '../../../src/guest/util/fsutil.ts';
import { LAYERS_MOUNTINFO, LAZY_CID, LOCAL_CID, TOP_CHAIN, layersFixture } from './layers-fixture.ts';

function collector(sys: FakeSyscalls): LayerCollector {
  const read = (p: string): string | null => {
    try {
      return new TextDecoder().decode(sys.readFile(p));
    } catch {
      return null;
    }
  };
  return new LayerCollector(sys, read);
}

describe('overlay mounts from /proc/self/mountinfo (recorded in the guest)', () => {
  it('finds each overlay with its lower dirs (top first), upper and work dir', () => {
    const m = parseOverlayMountinfo(LAYERS_MOUNTINFO);
    expect(m.map((x) => x.target)).toEqual([`/run/docker/views/${TOP_CHAIN}`, `/var/lib/docker/overlay2/${LAZY_CID}/merged`, `/var/lib/docker/overlay2/${LOCAL_CID}/merged`]);
    expect(m[0]).toMatchObject({ upper: null, work: null });
    expect(m[1]).toEqual({
      target: `/var/lib/docker/overlay2/${LAZY_CID}/merged`,
      lower: [`/var/run/docker/views/${TOP_CHAIN}`],
      upper: `/var/lib/docker/overlay2/${LAZY_CID}/diff`,
      work: `/var/lib/docker/overlay2/${LAZY_CID}/work`,
    });
    expect(m[2]!.lower).toHaveLength(2);
  });

  it('decodes octal escapes in mount points and skips other file systems', () => {
    const m = parseOverlayMountinfo('30 1 0:5 / /a\\040b rw - overlay overlay rw,lowerdir=/l\\040x,upperdir=/u,workdir=/w\n31 1 0:6 / /proc rw - proc proc rw\n');
    expect(m).toEqual([{ target: '/a b', lower: ['/l x'], upper: '/u', work: '/w' }]);
  });
});

describe('layers collector (fake file system laid out as dockerd keeps it)', () => {
  it("maps each container's lower dirs to image layers bottom first, through the image's shared view", () => {
    const stacks = collector(layersFixture()).stacks(null);
    expect(stacks.map((s) => s.id)).toEqual([LAZY_CID, LOCAL_CID]);
    const lazy = stacks[0]!;
    expect(lazy.lower.map((l) => l.dir)).toEqual(['/mnt/host/layers/aaa', '/mnt/host/layers/bbb']);
    expect(lazy.lower.every((l) => l.via === `/var/run/docker/views/${TOP_CHAIN}`)).toBe(true);
    expect(lazy.lower[0]).toMatchObject({ chain: 'sha256:' + 'a'.repeat(64), diffId: 'sha256:' + 'd'.repeat(64), bytes: 4096, files: 3, dirs: 1, complete: true });
    expect(lazy.upper).toBe(`/var/lib/docker/overlay2/${LAZY_CID}/diff`);
    expect(lazy.work).toBe(`/var/lib/docker/overlay2/${LAZY_CID}/work`);
    const local = stacks[1]!;
    expect(local.lower.map((l) => l.via)).toEqual(['', '']);
    expect(local.lower[0]!.dir).toBe('/var/lib/docker/overlay2/' + 'c'.repeat(64) + '/diff');
    expect(local.lower[0]!.chain).toBe('sha256:' + 'e'.repeat(64));
  });

  it("lists the focused container's upper dir: a written file, a whiteout, an opaque dir", () => {
    const sys = layersFixture();
    const stacks = collector(sys).stacks(LOCAL_CID.slice(0, 12));
    expect(stacks[0]!.upperEntries).toBeNull();
    const s = stacks[1]!;
    expect(s.upperEntries).toEqual([
      { path: '/etc', kind: 'opaque', size: 0 },
      { path: '/made-here', kind: 'file', size: 3 },
      { path: '/tmp', kind: 'dir', size: 0 },
      { path: '/etc/passwd', kind: 'file', size: 10 },
      { path: '/tmp/gone', kind: 'whiteout', size: 0 },
    ]);
    expect(s).toMatchObject({ upperFiles: 3, upperBytes: 13, upperTruncated: false });
  });

  it('counts an image layer once (it never changes) and a big one over several snapshots', () => {
    const sys = layersFixture();
    // the budget is checked between directories: 40 of 50 files each go past it
    const big = '/var/lib/docker/overlay2/' + 'c'.repeat(64) + '/diff/usr/lib';
    for (let d = 0; d < 40; d++) {
      mkdirp(sys, `${big}/d${d}`);
      for (let i = 0; i < 50; i++) sys.writeFile(`${big}/d${d}/f${i}`, '');
    }
    expect(40 * 50).toBeGreaterThan(LAYER_BUDGET);
    const c = collector(sys);
    const first = c.stacks(null)[1]!.lower[0]!;
    expect(first.complete).toBe(false);
    const second = c.stacks(null)[1]!.lower[0]!;
    expect(second.complete).toBe(true);
    expect(second).toMatchObject({ files: 40 * 50 + 1, dirs: 42, bytes: 5000 });
    const reads = sys.callsOf('readdir').length;
    const third = c.stacks(null)[1]!.lower[0]!;
    expect(third).toEqual(second);
    // the upper dir of the focused container is read again (it changes); the image layers are not
    const again = sys.callsOf('readdir').slice(reads).map((a) => String(a[0]));
    expect(again.some((p) => p.includes('/overlay2/' + 'c'.repeat(64)))).toBe(false);
    expect(again.some((p) => p.endsWith(`${LAZY_CID}/diff`))).toBe(true);
  });

  it('sees a file written in the container at the next snapshot', () => {
    const sys = layersFixture();
    const c = collector(sys);
    expect(c.stacks(LAZY_CID)[0]!.upperEntries).toEqual([]);
    sys.writeFile(`/var/lib/docker/overlay2/${LAZY_CID}/diff/new-file`, 'x');
    expect(c.stacks(LAZY_CID)[0]!.upperEntries).toEqual([{ path: '/new-file', kind: 'file', size: 1 }]);
  });

  it('a char device that is not 0:0 is no whiteout; no mountinfo means no stacks', () => {
    const sys = layersFixture();
    sys.mknod(`/var/lib/docker/overlay2/${LAZY_CID}/diff/null`, S_IFCHR | 0o666, (1 << 8) | 3);
    expect(collector(sys).stacks(LAZY_CID)[0]!.upperEntries).toEqual([{ path: '/null', kind: 'other', size: 0 }]);
    sys.unlink('/proc/self/mountinfo');
    expect(collector(sys).stacks(null)).toEqual([]);
  });

  it('lists at most 200 upper entries and says so', () => {
    const sys = layersFixture();
    mkdirp(sys, `/var/lib/docker/overlay2/${LAZY_CID}/diff/many`);
    for (let i = 0; i < 250; i++) sys.writeFile(`/var/lib/docker/overlay2/${LAZY_CID}/diff/many/f${i}`, 'ab');
    const s = collector(sys).stacks(LAZY_CID)[0]!;
    expect(s.upperEntries).toHaveLength(200);
    expect(s).toMatchObject({ upperTruncated: true, upperFiles: 250, upperBytes: 500 });
  });

  it('shows an overlay mounted by hand (lesson 4) after the containers, named by its mount point, with its upper dir listed', () => {
    const sys = layersFixture();
    for (const d of ['layers/app', 'layers/base', 'c1/upper', 'c1/work', 'c1/root']) mkdirp(sys, `/root/lab/${d}`);
    sys.writeFile('/root/lab/layers/base/os-release', 'base');
    sys.writeFile('/root/lab/c1/upper/name.txt', 'c1\n');
    const line = '60 1 0:41 / /root/lab/c1/root rw,relatime - overlay overlay rw,lowerdir=/root/lab/layers/app:/root/lab/layers/base,upperdir=/root/lab/c1/upper,workdir=/root/lab/c1/work';
    sys.writeFile('/proc/self/mountinfo', `${LAYERS_MOUNTINFO}${line}\n`);
    const stacks = collector(sys).stacks(null);
    expect(stacks.map((s) => s.id)).toEqual([LAZY_CID, LOCAL_CID, '/root/lab/c1/root']);
    const hand = stacks[2]!;
    expect(hand.lower.map((l) => [l.dir, l.chain, l.files])).toEqual([
      ['/root/lab/layers/base', '', 1],
      ['/root/lab/layers/app', '', 0],
    ]);
    expect(hand.upperEntries).toEqual([{ path: '/name.txt', kind: 'file', size: 3 }]);
    // the containers' own focus rule is unchanged: the first one is walked, the second not
    expect(stacks[1]!.upperEntries).toBeNull();
  });
});
