import { describe, expect, it } from 'vitest';
import { Collector } from '../../../src/guest/inspect/collect.ts';
import { parseParts } from '../../../src/guest/inspect/parts.ts';
import { decodeSnapshot, encodeParts } from '../../../src/vm/inspect.ts';
import { stackChoices, stackModel, upperKindText } from '../../../src/app/inspector/layers.ts';
import { LAYERS_MOUNTINFO, LAZY_CID, LOCAL_CID, layersFixture } from '../../guest/inspect/layers-fixture.ts';
import { mkdirp } from '../../../src/guest/util/fsutil.ts';

function snapshot(focus: string | null) {
  const sys = layersFixture();
  return decodeSnapshot(JSON.stringify(new Collector(sys).snapshot(parseParts(encodeParts({ parts: ['layers'], layersFocus: focus })))));
}

describe('layers view model (guest collector output, decoded as the page gets it)', () => {
  it('asks the guest for the layers of the selected container only', () => {
    expect(encodeParts({ parts: ['layers'], layersFocus: LOCAL_CID })).toBe(`layers=${LOCAL_CID}`);
    expect(encodeParts({ parts: ['layers', 'net'], layersFocus: 'not an id' })).toBe('layers,net');
    expect(encodeParts(undefined)).toBe('');
  });

  it('draws the stack top to bottom: merged, upper, then the image layers newest first', () => {
    const s = snapshot(LOCAL_CID);
    expect(stackChoices(s).map((c) => c.id)).toEqual([LAZY_CID, LOCAL_CID].sort((a, b) => a.slice(0, 12).localeCompare(b.slice(0, 12))));
    const m = stackModel(s, LOCAL_CID)!;
    expect(m.rows.map((r) => r.label)).toEqual(['merged', 'upper (container)', 'layer 2 of 2', 'layer 1 of 2']);
    expect(m.rows[1]!.counts).toBe('3 files, 13B');
    expect(m.rows[3]!.detail).toMatch(/^image layer, diff 222222222222, chain eeeeeeeeeeee$/);
    expect(m.rows[3]!.counts).toBe('1 file, 0 dirs, 4.88KiB');
    expect(m.upper!.map((e) => `${e.kind} ${e.path}`)).toEqual(['opaque /etc', 'file /made-here', 'dir /tmp', 'file /etc/passwd', 'whiteout /tmp/gone']);
    expect(upperKindText('whiteout')).toMatch(/deleted from a lower layer/);
  });

  it('falls back to the container the guest listed, and says which lower dirs came through a view', () => {
    const s = snapshot(null);
    const m = stackModel(s, null)!;
    expect(m.stack.id).toBe(LAZY_CID);
    expect(m.rows.filter((r) => r.kind === 'layer').every((r) => r.via.includes('/views/'))).toBe(true);
    expect(stackModel({ ...s, layers: [] }, null)).toBeNull();
  });

  it('names an overlay mounted by hand by its mount point, and says its lower dirs are no image layers', () => {
    const sys = layersFixture();
    for (const d of ['lower', 'upper', 'work', 'root']) mkdirp(sys, `/root/lab/${d}`);
    const line = '60 1 0:41 / /root/lab/root rw,relatime - overlay overlay rw,lowerdir=/root/lab/lower,upperdir=/root/lab/upper,workdir=/root/lab/work';
    sys.writeFile('/proc/self/mountinfo', `${LAYERS_MOUNTINFO}${line}\n`);
    const s = decodeSnapshot(JSON.stringify(new Collector(sys).snapshot(parseParts('layers'))));
    expect(stackChoices(s).map((c) => c.name)).toContain('/root/lab/root');
    const m = stackModel(s, '/root/lab/root')!;
    expect(m.container).toBeNull();
    expect(m.rows.map((r) => r.dir)).toEqual(['/root/lab/root', '/root/lab/upper', '/root/lab/lower']);
    expect(m.rows[2]!.detail).toMatch(/no layer dockerd knows/);
    expect(m.upper).toEqual([]);
  });
});
