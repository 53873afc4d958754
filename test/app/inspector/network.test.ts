import { describe, expect, it } from 'vitest';
import { Collector } from '../../../src/guest/inspect/collect.ts';
import { parseParts } from '../../../src/guest/inspect/parts.ts';
import { decodeSnapshot } from '../../../src/vm/inspect.ts';
import { BOX_W, layout, netModel } from '../../../src/app/inspector/network.ts';
import { INSPNET_BRIDGE, LAY_ID, WEB_ID, netFixture } from '../../guest/inspect/net-fixture.ts';

const snap = () => decodeSnapshot(JSON.stringify(new Collector(netFixture()).snapshot(parseParts('net'))));

describe('network view model (guest collector output, decoded as the page gets it)', () => {
  it('joins each bridge port to the container end of its veth pair, by the peer index', () => {
    const m = netModel(snap())!;
    expect(m.groups.map((g) => g.bridge.name)).toEqual(['docker0', INSPNET_BRIDGE]);
    const web = m.groups[0]!.links[0]!;
    expect(web.container).toEqual({ id: WEB_ID, name: 'web' });
    expect(web.peer?.name).toBe('eth0');
    expect(web.address).toBe('172.17.0.2/16');
    expect(web.ports).toEqual(['0.0.0.0:8080->80/tcp']);
    const lay = m.groups[1]!.links[0]!;
    expect(lay).toMatchObject({ container: { id: LAY_ID, name: 'lay' }, address: '172.18.0.2/16' });
    expect(m.hostNetwork).toEqual([]);
  });

  it('keeps a veth nobody claims, and takes the record’s address when the namespace gives none', () => {
    const s = snap();
    const net = s.net!;
    net.bridges[0]!.ports.push({ name: 'vethzzzzzzz', ifindex: 20, peerIfindex: 2, rx: 0, tx: 0 });
    net.containers[1]!.ifaces = [];
    const m = netModel(s)!;
    expect(m.groups[0]!.links[1]).toMatchObject({ container: null, peer: null, address: '' });
    expect(m.groups[1]!.links[0]).toMatchObject({ peer: null, address: '172.18.0.2/16' });
  });

  it('lays bridges out side by side, each over its containers', () => {
    const l = layout(netModel(snap())!);
    expect(l.bridges).toHaveLength(2);
    expect(l.bridges[1]!.x).toBeGreaterThan(l.bridges[0]!.x + l.bridges[0]!.w);
    expect(l.links[1]!.x).toBe(l.bridges[1]!.x);
    expect(l.links.every((p) => p.w === BOX_W && p.y > l.bridges[0]!.y)).toBe(true);
    expect(netModel({ ...snap(), net: null })).toBeNull();
  });
});
