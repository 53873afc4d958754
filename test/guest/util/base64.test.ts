import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from '../../../src/guest/util/base64.ts';

describe('base64', () => {
  it('matches Node for every length around the padding cases and for large input', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 6, 7, 100, 20_000]) {
      const b = new Uint8Array(n).map((_, i) => (i * 131 + 7) & 255);
      const ours = encodeBase64(b);
      expect(ours).toBe(Buffer.from(b).toString('base64'));
      expect([...decodeBase64(ours)]).toEqual([...b]);
    }
  });

  it('skips line breaks and rejects anything else outside the alphabet', () => {
    expect(new TextDecoder().decode(decodeBase64('aGVs\nbG8K\r\n'))).toBe('hello\n');
    expect(() => decodeBase64('aGV*')).toThrow(/bad character/);
    expect(() => decodeBase64('aGV')).toThrow(/multiple of 4/);
  });
});
