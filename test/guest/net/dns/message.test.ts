import { describe, expect, it } from 'vitest';
import {
  DnsFormatError, TYPE_A, TYPE_AAAA, TYPE_PTR, decodeMessage, encodeMessage, query, reverseName,
} from '../../../../src/guest/net/dns/message.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('dns message codec', () => {
  it('encodes a query byte for byte as a stub resolver does', () => {
    // id 0x1234, RD, one question deb.debian.org A IN
    expect(hex(encodeMessage(query(0x1234, 'deb.debian.org')))).toBe(
      '123401000001000000000000036465620664656269616e036f72670000010001',
    );
  });

  it('decodes what it encodes, with compressed names in answers', () => {
    const m = query(7, 'Deb.Debian.ORG', TYPE_A);
    const answer = encodeMessage({
      ...m, response: true, authoritative: true, recursionAvailable: true,
      answers: [
        { name: 'deb.debian.org', type: TYPE_A, class: 1, ttl: 60, data: '10.86.0.53' },
        { name: '53.0.86.10.in-addr.arpa', type: TYPE_PTR, class: 1, ttl: 60, data: 'deb.debian.org' },
      ],
    });
    // The answer's owner name is a 2-byte pointer to the question's name at offset 12.
    expect(hex(answer)).toContain('c00c000100010000003c00040a560035');
    const back = decodeMessage(answer);
    expect(back.questions).toEqual([{ name: 'deb.debian.org', type: TYPE_A, class: 1 }]);
    expect(back.response).toBe(true);
    expect(back.authoritative).toBe(true);
    expect(back.answers[0]).toEqual({ name: 'deb.debian.org', type: TYPE_A, class: 1, ttl: 60, data: '10.86.0.53' });
    expect(back.answers[1]?.data).toBe('deb.debian.org');
  });

  it('rejects malformed messages with a format error', () => {
    expect(() => decodeMessage(new Uint8Array(5))).toThrow(DnsFormatError);
    const q = encodeMessage(query(1, 'example.com', TYPE_AAAA));
    expect(() => decodeMessage(q.subarray(0, q.length - 3))).toThrow(DnsFormatError);
    // A pointer to itself must not loop.
    const loop = Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    expect(() => decodeMessage(loop)).toThrow(/backwards/);
  });

  it('names reverse lookups', () => {
    expect(reverseName('10.86.0.53')).toBe('53.0.86.10.in-addr.arpa');
    expect(() => reverseName('10.86.0.300')).toThrow(DnsFormatError);
  });
});
