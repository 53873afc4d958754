import { describe, expect, it } from 'vitest';
import { parseBody } from '../../src/lessons/markdown.ts';
import { INSPECT_VIEWS } from '../../src/lessons/types.ts';

describe('```inspect blocks', () => {
  it('become inspect blocks with their view and caption, namespaces meaning the processes view', () => {
    const body = ['Text.', '', '```inspect namespaces', 'The `sh` in its own **pid** namespace.', '```', '', '```inspect chain', '```', ''].join('\n');
    const r = parseBody(body, '02-namespaces/03-pid.md', 5);
    expect(r.errors).toEqual([]);
    expect(r.blocks).toEqual([
      { kind: 'markdown', line: 5, markdown: 'Text.' },
      { kind: 'inspect', line: 7, view: 'processes', caption: 'The `sh` in its own **pid** namespace.' },
      { kind: 'inspect', line: 11, view: 'chain', caption: '' },
    ]);
  });

  it('accepts every view name', () => {
    for (const v of INSPECT_VIEWS) {
      const r = parseBody(`\`\`\`inspect ${v}\n\`\`\``, 'x.md', 1);
      expect(r.errors).toEqual([]);
      expect(r.blocks[0]).toMatchObject({ kind: 'inspect', view: v });
    }
  });

  it('reports an unknown view, a missing one and two views at file:line', () => {
    const body = ['```inspect namespace', '```', '', '```inspect', '```', '', '```inspect cgroups layers', '```'].join('\n');
    const r = parseBody(body, '03-cgroups/02-memory.md', 10);
    expect(r.blocks).toEqual([]);
    expect(r.errors.map((e) => `${e.file}:${e.line}: ${e.message}`)).toEqual([
      expect.stringMatching(/^03-cgroups\/02-memory\.md:10: unknown inspector view "namespace" \(did you mean "namespaces"\?\); views are processes, cgroups, layers, network, chain, namespaces$/),
      expect.stringMatching(/^03-cgroups\/02-memory\.md:13: an inspect block names a view/),
      expect.stringMatching(/^03-cgroups\/02-memory\.md:16: an inspect block shows one view; found "cgroups layers"$/),
    ]);
  });
});
