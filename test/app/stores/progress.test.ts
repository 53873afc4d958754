import { describe, expect, it } from 'vitest';
import { continueTarget, courseMinutes, lessonStatus, normaliseProgress, resumeStep, type CourseLesson } from '../../../src/app/stores/progress.ts';

const lesson = (slug: string, steps: number, minutes = 20): CourseLesson => ({ slug, minutes, steps: Array.from({ length: steps }, (_, i) => ({ index: i + 1 })) });
const course = [lesson('01-a', 3, 30), lesson('02-b', 2, 20), lesson('03-c', 4, 40)];

describe('lessonStatus', () => {
  it('new without a record or with the introduction open; started once a step is open or done; complete with every step done', () => {
    expect(lessonStatus(course[0]!, undefined)).toEqual({ state: 'new', done: 0, total: 3 });
    expect(lessonStatus(course[0]!, { current: 0, done: [] })).toEqual({ state: 'new', done: 0, total: 3 });
    expect(lessonStatus(course[0]!, { current: 2, done: [] })).toEqual({ state: 'started', done: 0, total: 3 });
    expect(lessonStatus(course[0]!, { current: 0, done: [2] })).toEqual({ state: 'started', done: 1, total: 3 });
    expect(lessonStatus(course[0]!, { current: 3, done: [1, 2, 3] })).toEqual({ state: 'complete', done: 3, total: 3 });
  });

  it('counts only steps the lesson still has (an author removed one since)', () => {
    expect(lessonStatus(course[1]!, { current: 2, done: [1, 2, 5] })).toEqual({ state: 'complete', done: 2, total: 2 });
  });
});

describe('normaliseProgress', () => {
  it('keeps a good record, repairs a bad one, and treats garbage as nothing done', () => {
    expect(normaliseProgress({ current: 2, done: [1] })).toEqual({ current: 2, done: [1] });
    expect(normaliseProgress({ current: -1, done: [3, 1, 1, 'x', 0, 2.5] })).toEqual({ current: 0, done: [1, 3] });
    expect(normaliseProgress(undefined)).toEqual({ current: 0, done: [] });
    expect(normaliseProgress('progress')).toEqual({ current: 0, done: [] });
    expect(normaliseProgress({ current: '2', done: null })).toEqual({ current: 0, done: [] });
  });
});

describe('continueTarget', () => {
  it('a learner who has done nothing starts the first lesson at its introduction', () => {
    expect(continueTarget(course, {}, undefined)).toEqual({ slug: '01-a', step: 0, kind: 'start' });
  });

  it('goes back to the last lesson at the step the learner was on', () => {
    expect(continueTarget(course, { '02-b': { current: 1, done: [] }, '01-a': { current: 3, done: [1, 2] } }, '02-b')).toEqual({ slug: '02-b', step: 1, kind: 'continue' });
  });

  it('a current step already done moves on to the next step not done, wrapping to an earlier one left out', () => {
    expect(continueTarget(course, { '03-c': { current: 2, done: [2] } }, '03-c')).toEqual({ slug: '03-c', step: 3, kind: 'continue' });
    expect(continueTarget(course, { '03-c': { current: 4, done: [2, 3, 4] } }, '03-c')).toEqual({ slug: '03-c', step: 1, kind: 'continue' });
  });

  it('after the last lesson is complete, the next lesson in course order that is not (wrapping round)', () => {
    const records = { '02-b': { current: 2, done: [1, 2] }, '03-c': { current: 4, done: [1, 2, 3, 4] } };
    expect(continueTarget(course, records, '02-b')).toEqual({ slug: '01-a', step: 0, kind: 'continue' });
    expect(continueTarget(course, { '02-b': { current: 2, done: [1, 2] } }, '02-b')).toEqual({ slug: '03-c', step: 0, kind: 'continue' });
  });

  it('a last lesson that no longer exists counts from the start of the course', () => {
    expect(continueTarget(course, { '02-b': { current: 1, done: [] } }, '99-gone')).toEqual({ slug: '01-a', step: 0, kind: 'continue' });
  });

  it('every lesson complete: done, pointing at the first lesson; no lessons: nothing to continue', () => {
    const all = { '01-a': { current: 3, done: [1, 2, 3] }, '02-b': { current: 2, done: [1, 2] }, '03-c': { current: 4, done: [1, 2, 3, 4] } };
    expect(continueTarget(course, all, '03-c')).toEqual({ slug: '01-a', step: 0, kind: 'done' });
    expect(continueTarget([], {}, undefined)).toBeNull();
  });
});

describe('resumeStep', () => {
  it('clamps a current step beyond the lesson (steps removed since) to its last step', () => {
    expect(resumeStep(course[1]!, { current: 7, done: [] })).toBe(2);
  });
});

describe('courseMinutes', () => {
  it('sums the course and what is left, a started lesson by its steps left', () => {
    expect(courseMinutes(course, {})).toEqual({ total: 90, left: 90 });
    expect(courseMinutes(course, { '01-a': { current: 3, done: [1, 2, 3] }, '03-c': { current: 2, done: [1] } })).toEqual({ total: 90, left: 20 + 30 });
  });
});
