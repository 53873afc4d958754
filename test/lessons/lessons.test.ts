// The real lessons: `lesson check` must find no problem, and `lesson test` must pass for every
// lesson against the real guest (skipped, with the reason, only when the guest is not built).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allDiagnostics, formatDiagnostic } from '../../src/lessons/check.ts';
import { testLesson } from '../../src/lessons/lesson-test.ts';
import { loadLessonsFromDisk } from '../../src/lessons/node.ts';
import { openTestVm, type TestVm } from '../../src/lessons/node-vm.ts';

const set = loadLessonsFromDisk();

describe('lesson check', () => {
  it('finds the lessons and no problem in them', () => {
    expect(set.entries.length).toBeGreaterThanOrEqual(4);
    expect(allDiagnostics(set).map((d) => formatDiagnostic(d))).toEqual([]);
  });
});

describe('lesson test (in the guest)', () => {
  let session: TestVm | null = null;
  let skip = '';

  beforeAll(async () => {
    const s = await openTestVm();
    if ('skip' in s) skip = s.skip;
    else session = s;
  });
  afterAll(async () => {
    await session?.close();
  });

  for (const entry of set.entries) {
    it(`${entry.slug}: each check fails before its solve script and passes after it`, async (ctx) => {
      if (!session) return ctx.skip(skip);
      if (!entry.lesson) throw new Error(`${entry.slug} does not load`);
      await session.fresh();
      const result = await testLesson(session.vm, entry.lesson);
      expect(result.problems).toEqual([]);
      expect(result.steps.length).toBe(entry.lesson.steps.length);
    }, 600_000);
  }
});
