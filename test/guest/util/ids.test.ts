import { describe, expect, it } from 'vitest';
import { AmbiguousError, lookup, newId, NotFoundError, shortId } from '../../../src/guest/util/ids.ts';
import { ADJECTIVES, randomName, SURNAMES, VALID_NAME } from '../../../src/guest/util/names.ts';

const items = [
  { id: 'abc123' + '0'.repeat(58), name: '/happy_turing' },
  { id: 'abd456' + '0'.repeat(58), name: '/web' },
  { id: 'ff0000' + '1'.repeat(58), name: '/abc' },
];

describe('ids', () => {
  it('makes 64 hex characters and a 12 character short form', () => {
    let n = 0;
    const id = newId((k) => Uint8Array.from({ length: k }, () => (n++ * 37) & 0xff));
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(shortId(id)).toBe(id.slice(0, 12));
    expect(shortId(`sha256:${id}`)).toBe(id.slice(0, 12));
  });
  it('finds by full id, name, then unique prefix', () => {
    expect(lookup(items, items[1]!.id)).toBe(items[1]);
    expect(lookup(items, 'web')).toBe(items[1]);
    expect(lookup(items, '/happy_turing')).toBe(items[0]);
    expect(lookup(items, 'abd')).toBe(items[1]);
    // a name wins over an id prefix
    expect(lookup(items, 'abc')).toBe(items[2]);
  });
  it('reports ambiguous and missing references as Docker does', () => {
    expect(() => lookup(items, 'ab')).toThrow(AmbiguousError);
    expect(() => lookup(items, 'nope')).toThrow(new NotFoundError('No such container: nope'));
    expect(() => lookup(items, 'nope', 'image')).toThrow('No such image: nope');
  });
});

describe('names', () => {
  it('builds adjective_surname from our lists', () => {
    let k = 0;
    const name = randomName((n) => (k++ * 7) % n);
    const [adj, sur] = name.split('_');
    expect(ADJECTIVES).toContain(adj);
    expect(SURNAMES).toContain(sur);
    expect(name).toMatch(VALID_NAME);
    expect(randomName(() => 3, 1)).toMatch(/_[a-z]+3$/);
  });
  it('word lists have no duplicates and only lower-case letters', () => {
    for (const list of [ADJECTIVES, SURNAMES]) {
      expect(new Set(list).size).toBe(list.length);
      for (const w of list) expect(w).toMatch(/^[a-z]+$/);
    }
  });
});
