import { describe, expect, it } from 'vitest';
import { decodeAttrs, decodeMessages, encodeMessage, ifinfomsg, Rtnl, RTM_NEWLINK, strAttr } from '../../../src/guest/net/netlink.ts';
import { isErrno } from '../../../src/guest/sys/errors.ts';
import { NetFake } from './fake-netns.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('rtnetlink messages', () => {
  it('lays out `ip link add docker0 type bridge` as the kernel expects (lengths, padding, nesting)', () => {
    const msg = encodeMessage(RTM_NEWLINK, 0x605, 7, ifinfomsg(0), [
      [3, strAttr('docker0')],
      [18, [[1, strAttr('bridge')]]],
    ]);
    expect(hex(msg)).toBe(
      '3c000000' + '1000' + '0506' + '07000000' + '00000000' + // nlmsghdr: len 60, RTM_NEWLINK, flags, seq, pid
        '00000000' + '00000000' + '00000000' + '00000000' + // ifinfomsg
        '0c000300' + hex(new TextEncoder().encode('docker0\0')) + // IFLA_IFNAME, 8 bytes of payload
        '10001200' + '0b000100' + hex(new TextEncoder().encode('bridge\0')) + '00', // IFLA_LINKINFO { IFLA_INFO_KIND }, padded
    );
    const [m] = decodeMessages(msg);
    expect(m!.type).toBe(RTM_NEWLINK);
    expect(m!.seq).toBe(7);
    expect(new TextDecoder().decode(decodeAttrs(m!.body, 16).get(3))).toBe('docker0\0');
  });

  it('decodes several messages from one read', () => {
    const a = encodeMessage(2, 0, 1, new Uint8Array(4), []);
    const b = encodeMessage(3, 0, 2, new Uint8Array(4), []);
    const both = new Uint8Array([...a, ...b]);
    expect(decodeMessages(both).map((m) => [m.type, m.seq])).toEqual([[2, 1], [3, 2]]);
  });

  it('turns the kernel errno of an ACK into a SyscallError', () => {
    const sys = new NetFake();
    const nl = Rtnl.open(sys);
    nl.addBridge('docker0');
    let err: unknown = null;
    try {
      nl.addBridge('docker0');
    } catch (e) {
      err = e;
    }
    expect(isErrno(err, 'EEXIST')).toBe(true);
    expect((err as Error).message).toBe('EEXIST: ip link add docker0 type bridge');
    expect(sys.host.byName('docker0')?.kind).toBe('bridge');
    expect(nl.linkIndex('docker0')).toBe(sys.host.byName('docker0')!.index);
    expect(() => nl.linkIndex('nope0')).toThrow(/ENODEV/);
  });
});
