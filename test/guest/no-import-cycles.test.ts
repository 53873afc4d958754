// A permanent guard: src/guest has no import cycles (type-only imports included). A shared type
// goes in a module below both users (daemon/model.ts, errdefs.ts), never back up the tree.

import { describe, expect, it } from 'vitest';
import { importCycles, importGraph, importSpecifiers } from '../../scripts/lib/import-graph.ts';

describe('import cycles', () => {
  it('src/guest has none', () => {
    const graph = importGraph('src/guest');
    // the walk found the tree (a wrong root would pass with an empty graph)
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('daemon/main.ts')).toContain('daemon/api.ts');
    const cycles = importCycles(graph).map((c) => c.join(' -> '));
    expect(cycles).toEqual([]);
  });

  it('the checker finds a cycle and names its path', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts', 'd.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']],
    ]);
    expect(importCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts'], ['e.ts', 'e.ts']]);
    expect(importCycles(new Map([['a.ts', ['b.ts']], ['b.ts', []]]))).toEqual([]);
  });

  it('reads static, multi-line, type-only, re-export and dynamic imports', () => {
    const text = [
      "import { a } from './a.ts';",
      'import {',
      '  b,',
      "} from './b.ts';",
      "import type { C } from '../c.ts';",
      "export { d } from './d.ts';",
      "export * from './e.ts';",
      "import './f.ts';",
      "const g = await import('./g.ts');",
      "const s = 'import x from nowhere';",
    ].join('\n');
    expect(importSpecifiers(text).sort()).toEqual(['../c.ts', './a.ts', './b.ts', './d.ts', './e.ts', './f.ts', './g.ts']);
  });
});
