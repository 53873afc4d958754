import { describe, expect, it } from 'vitest';
import { INSPECTOR_VIEWS, snapshotRequest } from '../../../src/app/inspector/views.ts';
import { INSPECT_VIEWS } from '../../../src/lessons/types.ts';

describe('inspector views', () => {
  it('has a tab for every view a lesson block may name', () => {
    expect([...INSPECTOR_VIEWS].sort()).toEqual([...INSPECT_VIEWS].sort());
  });

  it('asks the guest only for the open view’s part, and for the selected container’s upper dir only on Layers', () => {
    expect(snapshotRequest('processes', 'abc')).toEqual({ parts: ['procs'], layersFocus: null });
    expect(snapshotRequest('cgroups', null)).toEqual({ parts: ['cgroups'], layersFocus: null });
    expect(snapshotRequest('layers', 'abc')).toEqual({ parts: ['layers'], layersFocus: 'abc' });
    expect(snapshotRequest('network', 'abc')).toEqual({ parts: ['net'], layersFocus: null });
    expect(snapshotRequest('chain', 'abc')).toBeNull();
  });
});
