// The complete example in lessons/README.md must itself be a valid lesson.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadLessons } from '../../src/lessons/loader.ts';
import { LESSONS_DIR } from '../../src/lessons/node.ts';

function exampleFiles(): Record<string, string> {
  const readme = readFileSync(`${LESSONS_DIR}/README.md`, 'utf8');
  const files: Record<string, string> = {};
  // "`lessons/09-hello/<path>`:" then a fenced block of 3 or 4 backticks.
  const re = /^`lessons\/([^`]+)`:\n\n(`{3,4})[^\n]*\n([\s\S]*?)\n\2\n/gm;
  for (const m of readme.matchAll(re)) if (m[1] && m[3] !== undefined) files[m[1]] = `${m[3]}\n`;
  return files;
}

describe('lessons/README.md example', () => {
  it('is a complete lesson that loads without problems', () => {
    const files = exampleFiles();
    expect(Object.keys(files).sort()).toEqual([
      '09-hello/01-make-a-file.check.sh',
      '09-hello/01-make-a-file.md',
      '09-hello/01-make-a-file.solve.sh',
      '09-hello/files/notes.txt',
      '09-hello/lesson.md',
      '09-hello/solution/done.txt',
    ]);
    const set = loadLessons(files);
    expect(set.entries[0]?.errors).toEqual([]);
    const lesson = set.entries[0]?.lesson;
    expect(lesson?.steps[0]?.blocks.map((b) => (b.kind === 'code' ? `code:${b.mark}` : b.kind))).toEqual([
      'markdown',
      'code:run',
      'markdown',
      'code:type',
      'quiz',
    ]);
  });
});
