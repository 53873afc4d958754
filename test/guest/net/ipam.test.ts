import { describe, expect, it } from 'vitest';
import { allocate, contains, gatewayOf, intToIp, ipToInt, macFor, parseCidr, PoolExhaustedError } from '../../../src/guest/net/ipam.ts';

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
