// The sequencer on a clean clone (Vitest has no timings of its own): the slow files named in
// durations.json start first, slowest first, and every other file follows in the order it came.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestSpecification, Vitest } from 'vitest/node';
import SlowestFirst from './sequencer.ts';

const root = join(import.meta.dirname, '..', '..');
const seconds = JSON.parse(readFileSync(join(import.meta.dirname, 'durations.json'), 'utf8')) as Record<string, number>;
const project = { name: '', config: { sequence: { groupOrder: 0 }, isolate: true } };
const spec = (path: string) => ({ moduleId: join(root, path), project }) as unknown as TestSpecification;
/** Vitest with an empty results cache, as on a clean clone. */
const fresh = { config: { root }, cache: { getFileTestResults: () => undefined, getFileStats: () => undefined } } as unknown as Vitest;

describe('SlowestFirst', () => {
  it('starts the named slow files first, slowest first, then the rest in their order', async () => {
    const named = Object.keys(seconds);
    expect(named.length).toBeGreaterThan(3);
    const [slowest, second] = [...named].sort((a, b) => seconds[b]! - seconds[a]!);
    const files = ['test/a.test.ts', second!, 'test/b.test.ts', slowest!, 'test/c.test.ts'].map(spec);
    const out = await new SlowestFirst(fresh).sort(files);
    expect(out.map((f) => f.moduleId.slice(root.length + 1))).toEqual([slowest, second, 'test/a.test.ts', 'test/b.test.ts', 'test/c.test.ts']);
  });

  it('names only files that exist', () => {
    for (const f of Object.keys(seconds)) expect(() => readFileSync(join(root, f)), f).not.toThrow();
  });
});
