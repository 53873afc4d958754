import { describe, expect, it } from 'vitest';
import { Collector } from '../../../src/guest/inspect/collect.ts';
import { parseParts } from '../../../src/guest/inspect/parts.ts';
import { decodeSnapshot, encodeParts } from '../../../src/vm/inspect.ts';
import { stackChoices, stackModel, upperKindText } from '../../../src/app/inspector/layers.ts';
import { LAZY_CID, LOCAL_CID, layersFixture } from '../../guest/inspect/layers-fixture.ts';

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
});
