import { createHash } from 'node:crypto';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, gunzipAll, inflateRaw, InflateError } from '../../../src/guest/util/inflate.ts';
import { Sha256, sha256Hex } from '../../../src/guest/util/sha256.ts';
import { utf8Decode, utf8Encode } from '../../../src/guest/util/text.ts';

function pseudoRandom(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function sample(): Uint8Array {
  // compressible text with long repeats, plus incompressible noise (stored blocks)
  const text = utf8Encode('hello whalebone, '.repeat(20_000) + 'ünïcødé 🐳 '.repeat(500));
  const noise = pseudoRandom(200_000);
  const out = new Uint8Array(text.length + noise.length);
  out.set(text);
  out.set(noise, text.length);
  return out;
}

function inflateAll(data: Uint8Array): Uint8Array {
  const parts: number[] = [];
  inflateRaw(data, 0, (c) => parts.push(...c));
  return Uint8Array.from(parts);
}

describe('inflate', () => {
  it('matches zlib at every level, including stored and fixed blocks', () => {
    const input = sample();
    for (const level of [0, 1, 6, 9]) {
      const z = new Uint8Array(gzipSync(input, { level }));
      expect(Buffer.from(gunzipAll(z)).equals(Buffer.from(input))).toBe(true);
    }
    const small = utf8Encode('abc abc abc');
    expect(utf8Decode(inflateAll(new Uint8Array(deflateRawSync(small, { strategy: 4 /* Z_FIXED */ }))))).toBe('abc abc abc');
  });
  it('handles concatenated gzip members', () => {
    const a = gzipSync(Buffer.from('one '));
    const b = gzipSync(Buffer.from('two'));
    expect(utf8Decode(gunzipAll(new Uint8Array(Buffer.concat([a, b]))))).toBe('one two');
  });
  it('rejects corrupt data', () => {
    const z = new Uint8Array(gzipSync(Buffer.from('some text that is long enough '.repeat(10))));
    const bad = z.slice();
    bad[bad.length - 6]! ^= 0xff; // CRC byte
    expect(() => gunzipAll(bad)).toThrow(InflateError);
    expect(() => gunzipAll(z.subarray(0, z.length - 12))).toThrow(InflateError);
    expect(() => gunzipAll(utf8Encode('plain text, not gzip'))).toThrow(/not gzip/);
  });
  it('computes CRC-32', () => {
    expect(crc32(utf8Encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('sha256', () => {
  it('matches node:crypto, fed whole or in odd pieces', () => {
    const data = pseudoRandom(100_003, 7);
    const want = createHash('sha256').update(data).digest('hex');
    expect(sha256Hex(data)).toBe(want);
    const h = new Sha256();
    for (let i = 0; i < data.length; i += 997) h.update(data.subarray(i, i + 997));
    expect(h.hex()).toBe(want);
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('é')).toBe(createHash('sha256').update('é').digest('hex'));
  });
});

describe('utf8', () => {
  it('round-trips all planes', () => {
    const s = 'a é € 🐳 \u0000 end';
    expect(utf8Decode(utf8Encode(s))).toBe(s);
    expect(Buffer.from(utf8Encode(s)).equals(Buffer.from(s, 'utf8'))).toBe(true);
  });
});
