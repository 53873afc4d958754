import { describe, expect, it } from 'vitest';
import {
  allocate, checkOverlap, checkRequestedIp, contains, formatCidr, gatewayOf, intToIp, ipToInt, IpamError, macFor, nextPool, overlaps, parseCidr, PoolExhaustedError, validatePool, type Subnet,
} from '../../../src/guest/net/ipam.ts';

describe('ipam', () => {
  const s = parseCidr('172.17.0.0/16');

  it('parses subnets and addresses', () => {
    expect(s).toEqual({ base: ipToInt('172.17.0.0'), prefixLen: 16 });
    expect(parseCidr('10.1.2.3/24')).toEqual({ base: ipToInt('10.1.2.0'), prefixLen: 24 });
    expect(intToIp(ipToInt('172.17.255.254'))).toBe('172.17.255.254');
    expect(gatewayOf(s)).toBe('172.17.0.1');
    expect(contains(s, '172.17.3.4')).toBe(true);
    expect(contains(s, '172.18.0.1')).toBe(false);
    expect(() => ipToInt('172.17.0.256')).toThrow(/invalid IPv4 address/);
    expect(() => parseCidr('172.17.0.0')).toThrow(/invalid subnet/);
  });

  it('gives the lowest free address after the gateway, reusing released ones', () => {
    expect(allocate(s, '172.17.0.1', [])).toBe('172.17.0.2');
    expect(allocate(s, '172.17.0.1', ['172.17.0.2', '172.17.0.3'])).toBe('172.17.0.4');
    expect(allocate(s, '172.17.0.1', ['172.17.0.3', ''])).toBe('172.17.0.2');
    const many = Array.from({ length: 300 }, (_, i) => intToIp(ipToInt('172.17.0.2') + i));
    expect(allocate(s, '172.17.0.1', many)).toBe('172.17.1.46');
  });

  it('never gives out the network or broadcast address', () => {
    const small = parseCidr('192.168.5.0/30');
    expect(allocate(small, '192.168.5.1', [])).toBe('192.168.5.2');
    expect(() => allocate(small, '192.168.5.1', ['192.168.5.2'])).toThrow(PoolExhaustedError);
  });

  it("derives Docker's MAC from the address", () => {
    expect(macFor('172.17.0.2')).toBe('02:42:ac:11:00:02');
    expect(macFor('172.17.1.255')).toBe('02:42:ac:11:01:ff');
  });
});

describe('ipam for user networks', () => {
  const p = (c: string): Subnet => parseCidr(c);

  it('takes Docker\'s default pools in order, skipping overlapping ones', () => {
    expect(formatCidr(nextPool([p('172.17.0.0/16')]))).toBe('172.18.0.0/16');
    expect(formatCidr(nextPool([p('172.17.0.0/16'), p('172.18.5.0/24')]))).toBe('172.19.0.0/16');
    const all172 = Array.from({ length: 15 }, (_, i) => p(`172.${17 + i}.0.0/16`));
    expect(formatCidr(nextPool(all172))).toBe('192.168.0.0/20');
    expect(formatCidr(nextPool([...all172, p('192.168.0.0/24')]))).toBe('192.168.16.0/20');
    expect(() => nextPool([...all172, p('192.168.0.0/16')])).toThrow(new IpamError('all predefined address pools have been fully subnetted'));
  });

  const overlapCases: [string, string, boolean][] = [
    ['10.0.0.0/24', '10.0.0.0/24', true],
    ['10.0.0.0/16', '10.0.5.0/24', true],
    ['10.0.5.0/24', '10.0.0.0/16', true],
    ['10.0.0.0/24', '10.0.1.0/24', false],
    ['172.17.0.0/16', '172.18.0.0/16', false],
  ];
  it.each(overlapCases)('%s overlaps %s: %s', (a, b, want) => {
    expect(overlaps(p(a), p(b))).toBe(want);
    if (want) expect(() => checkOverlap(p(b), [p(a)])).toThrow('invalid pool request: Pool overlaps with other one on this address space');
    else expect(() => checkOverlap(p(b), [p(a)])).not.toThrow();
  });

  const good: [string, string | undefined, string, string][] = [
    ['10.10.0.0/24', undefined, '10.10.0.0/24', '10.10.0.1'],
    ['10.10.0.0/16', '10.10.9.9', '10.10.0.0/16', '10.10.9.9'],
    ['192.168.50.0/30', undefined, '192.168.50.0/30', '192.168.50.1'],
  ];
  it.each(good)('accepts --subnet %s --gateway %s', (subnet, gateway, s, gw) => {
    const r = validatePool({ subnet, gateway })!;
    expect([formatCidr(r.subnet), r.gateway]).toEqual([s, gw]);
  });

  const bad: [string, string | undefined, string][] = [
    ['10.10.0.0', undefined, 'invalid subnet 10.10.0.0: invalid CIDR block notation'],
    ['10.10.0/24', undefined, 'invalid subnet 10.10.0/24: invalid CIDR block notation'],
    ['10.10.0.0/33', undefined, 'invalid subnet 10.10.0.0/33: invalid CIDR block notation'],
    ['10.10.0.1/24', undefined, 'invalid subnet 10.10.0.1/24: it should be 10.10.0.0/24'],
    ['10.10.0.0/24', '10.11.0.1', 'invalid gateway 10.11.0.1: parent subnet 10.10.0.0/24 doesn\'t contain this address'],
    ['10.10.0.0/24', 'gw', 'invalid gateway gw: invalid address'],
    ['10.10.0.1/24', '10.11.0.1', '* invalid subnet 10.10.0.1/24: it should be 10.10.0.0/24\n* invalid gateway 10.11.0.1: parent subnet 10.10.0.0/24 doesn\'t contain this address'],
  ];
  it.each(bad)('rejects --subnet %s --gateway %s', (subnet, gateway, msg) => {
    expect(() => validatePool({ subnet, gateway })).toThrow(new IpamError(`invalid network config:\n${msg}`));
  });

  it('checks a requested --ip', () => {
    const s = p('10.10.0.0/24');
    expect(() => checkRequestedIp('10.10.0.7', s, '10.10.0.1', ['10.10.0.2'])).not.toThrow();
    expect(() => checkRequestedIp('10.10.1.7', s, '10.10.0.1', [])).toThrow('invalid endpoint settings:\nno configured subnet or ip-range contain the IP address 10.10.1.7');
    expect(() => checkRequestedIp('10.10.0.255', s, '10.10.0.1', [])).toThrow('no configured subnet or ip-range contain the IP address 10.10.0.255');
    expect(() => checkRequestedIp('10.10.0.300', s, '10.10.0.1', [])).toThrow('invalid endpoint settings:\ninvalid IPv4 address: 10.10.0.300');
    expect(() => checkRequestedIp('10.10.0.2', s, '10.10.0.1', ['10.10.0.2'])).toThrow('Address already in use');
    expect(() => checkRequestedIp('10.10.0.1', s, '10.10.0.1', [])).toThrow('Address already in use');
  });
});
