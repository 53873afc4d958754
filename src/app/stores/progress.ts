// Course progress as the course page and "continue where I left off" read it: per-lesson records
// (the steps a learner completed and where they are) summed up, and the place to continue at.
// Pure: tested in test/app/stores/progress.test.ts.
import type { LessonProgress } from '../logic.ts';

/** What the course needs of a lesson (a Lesson has all of it). */
export interface CourseLesson {
  slug: string;
  steps: readonly { index: number }[];
  minutes: number;
}

export type LessonState = 'new' | 'started' | 'complete';

export interface LessonStatus {
  state: LessonState;
  /** Steps done (only steps the lesson has: a step removed since still counts for nothing). */
  done: number;
  total: number;
}

export const emptyProgress = (): LessonProgress => ({ current: 0, done: [] });

/**
 * A stored record made safe to use: whatever IndexedDB returns (an older shape, a hand-edited
 * value) becomes a valid record instead of breaking the page.
 */
export function normaliseProgress(raw: unknown): LessonProgress {
  if (typeof raw !== 'object' || raw === null) return emptyProgress();
  const r = raw as { current?: unknown; done?: unknown };
  const current = typeof r.current === 'number' && Number.isInteger(r.current) && r.current >= 0 ? r.current : 0;
  const done = Array.isArray(r.done) ? [...new Set(r.done.filter((n): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0))].sort((a, b) => a - b) : [];
  return { current, done };
}

export function lessonStatus(lesson: CourseLesson, p: LessonProgress | undefined): LessonStatus {
  const total = lesson.steps.length;
  const done = p ? lesson.steps.filter((s) => p.done.includes(s.index)).length : 0;
  const state: LessonState = total > 0 && done === total ? 'complete' : done > 0 || (p?.current ?? 0) > 0 ? 'started' : 'new';
  return { state, done, total };
}

/** Where "continue" takes the learner: a lesson and the step to show (0: its introduction). */
export interface ContinueTarget {
  slug: string;
  step: number;
  /** 'start': nothing done yet anywhere; 'continue': back into a lesson; 'done': every lesson is complete. */
  kind: 'start' | 'continue' | 'done';
}

/**
 * The lesson the learner last worked in, at the step they were on, unless it is complete: then
 * the first lesson after it (in course order, wrapping round) that is not. A step already done is
 * moved past to the first one not done, so "continue" lands on work left to do.
 */
export function continueTarget(lessons: readonly CourseLesson[], records: Readonly<Record<string, LessonProgress>>, lastSlug: string | undefined): ContinueTarget | null {
  if (lessons.length === 0) return null;
  const statuses = lessons.map((l) => lessonStatus(l, records[l.slug]));
  if (statuses.every((s) => s.state === 'complete')) return { slug: lessons[0]!.slug, step: 0, kind: 'done' };
  const anything = statuses.some((s) => s.state !== 'new');
  const lastAt = lessons.findIndex((l) => l.slug === lastSlug);
  const from = lastAt < 0 ? 0 : lastAt;
  for (let k = 0; k < lessons.length; k++) {
    const i = (from + k) % lessons.length;
    if (statuses[i]!.state === 'complete') continue;
    const lesson = lessons[i]!;
    return { slug: lesson.slug, step: resumeStep(lesson, records[lesson.slug]), kind: anything ? 'continue' : 'start' };
  }
  return null;
}

/** The step to resume a lesson at: the current one unless it is done, then the next one not done. */
export function resumeStep(lesson: CourseLesson, p: LessonProgress | undefined): number {
  if (!p) return 0;
  const current = Math.min(p.current, lesson.steps.length);
  if (current === 0 || !p.done.includes(current)) return current;
  const next = lesson.steps.find((s) => s.index > current && !p.done.includes(s.index)) ?? lesson.steps.find((s) => !p.done.includes(s.index));
  return next?.index ?? current;
}

/** Minutes of the whole course, and of what is left (a started lesson counts by its steps left). */
export function courseMinutes(lessons: readonly CourseLesson[], records: Readonly<Record<string, LessonProgress>>): { total: number; left: number } {
  let total = 0;
  let left = 0;
  for (const l of lessons) {
    total += l.minutes;
    const s = lessonStatus(l, records[l.slug]);
    left += s.total === 0 ? (s.state === 'complete' ? 0 : l.minutes) : Math.round((l.minutes * (s.total - s.done)) / s.total);
  }
  return { total, left };
}
