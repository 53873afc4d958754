// The Vite-bundled loader (import.meta.glob, as the app uses it) sees the same lessons as disk.
import { describe, expect, it } from 'vitest';
import { loadBundledLessons } from '../../src/lessons/bundled.ts';
import { loadLessonsFromDisk } from '../../src/lessons/node.ts';

describe('loadBundledLessons', () => {
  it('loads the same lessons, steps and scripts as the Node reader', () => {
    const bundled = loadBundledLessons();
    const disk = loadLessonsFromDisk();
    expect(bundled.entries.map((e) => e.slug)).toEqual(disk.entries.map((e) => e.slug));
    expect(bundled.entries.flatMap((e) => e.errors)).toEqual([]);
    for (const [i, e] of bundled.entries.entries()) {
      expect(e.lesson?.steps.map((s) => [s.id, s.checkScript.text, s.solveScript.text])).toEqual(
        disk.entries[i]?.lesson?.steps.map((s) => [s.id, s.checkScript.text, s.solveScript.text]),
      );
      expect(e.lesson?.files).toEqual(disk.entries[i]?.lesson?.files);
    }
  });
});
