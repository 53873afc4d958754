// The shared read-only views of lazily pulled images (src/guest/images/views.ts), on the fake.
import { describe, expect, it } from 'vitest';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { LayerViews } from '../../../src/guest/images/views.ts';

const LAYER = '/mnt/host/registry/layers/aaaa';
const TOP = 'sha256:bbbb';
const local = (d: string): boolean => d.startsWith('/var/lib/docker/');

function setup(): { sys: FakeSyscalls; views: LayerViews } {
  const sys = new FakeSyscalls();
  for (const d of ['/mnt/host/registry/layers/aaaa', '/mnt/host/registry/layers/cccc', '/var/lib/docker/overlay2/x/diff', '/run/docker']) sys.addDir(d);
  return { sys, views: new LayerViews(sys, '/run/docker/views') };
}

describe('layer views', () => {
  it('leave local layers as they are', () => {
    const { sys, views } = setup();
    expect(views.lowerFor(TOP, ['/var/lib/docker/overlay2/x/diff'], local)).toEqual(['/var/lib/docker/overlay2/x/diff']);
    expect(sys.callsOf('mount')).toEqual([]);
  });

  it('mount one read-only overlay per image for lazy layers, once, with an empty dir beside a single layer', () => {
    const { sys, views } = setup();
    expect(views.lowerFor(TOP, [LAYER], local)).toEqual(['/run/docker/views/bbbb']);
    expect(sys.callsOf('mount')).toEqual([['overlay', '/run/docker/views/bbbb', 'overlay', 0, `lowerdir=${LAYER}:/run/docker/views/.empty`]]);
    expect(views.lowerFor(TOP, [LAYER], local)).toEqual(['/run/docker/views/bbbb']);
    expect(sys.callsOf('mount')).toHaveLength(1);
    // two layers need no filler
    views.lowerFor('sha256:dddd', ['/mnt/host/registry/layers/cccc', LAYER], local);
    expect(sys.callsOf('mount')[1]?.[4]).toBe('lowerdir=/mnt/host/registry/layers/cccc:/mnt/host/registry/layers/aaaa');
  });

  it('are mounted again after a release, and fall back to the layers when a mount fails', () => {
    const { sys, views } = setup();
    views.lowerFor(TOP, [LAYER], local);
    views.release(TOP);
    expect(sys.mounts.some((m) => m.target === '/run/docker/views/bbbb')).toBe(false);
    expect(views.lowerFor(TOP, [LAYER], local)).toEqual(['/run/docker/views/bbbb']);
    expect(sys.callsOf('mount')).toHaveLength(2);
    views.release(TOP);
    sys.fail('mount', 'EINVAL');
    expect(views.lowerFor(TOP, [LAYER], local)).toEqual([LAYER]);
  });
});
