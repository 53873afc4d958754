// The lesson store's runes, compiled by the Svelte plugin (vitest.config.ts), against an
// in-memory copy of what persist.ts keeps in IndexedDB.
import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { LessonStore, type LessonData } from '../../../src/app/stores/lesson.svelte.ts';
import type { LessonProgress } from '../../../src/app/logic.ts';
import type { Lesson } from '../../../src/lessons/types.ts';

function memoryData(): LessonData & { kv: Map<string, unknown> } {
  const kv = new Map<string, unknown>();
  const clone = <T>(v: T): T => structuredClone(v);
  return {
    kv,
    loadProgress: async (slug) => clone((kv.get(`progress:${slug}`) as LessonProgress | undefined) ?? { current: 0, done: [] }),
    loadAllProgress: async (slugs) => Object.fromEntries(slugs.flatMap((s) => (kv.has(`progress:${s}`) ? [[s, clone(kv.get(`progress:${s}`) as LessonProgress)]] : []))),
    // structuredClone throws on a Svelte proxy, as IndexedDB's put does: the store must hand over plain data.
    saveProgress: async (slug, p) => void kv.set(`progress:${slug}`, clone(p)),
    loadEdits: async (slug) => clone((kv.get(`edits:${slug}`) as Record<string, string> | undefined) ?? {}),
    saveEdits: async (slug, e) => void kv.set(`edits:${slug}`, clone(e)),
    loadDrafts: async (slug) => clone((kv.get(`drafts:${slug}`) as Record<string, string> | undefined) ?? {}),
    saveDrafts: async (slug, d) => void kv.set(`drafts:${slug}`, clone(d)),
    loadLastLesson: async () => kv.get('lesson') as string | undefined,
    saveLastLesson: async (slug) => void kv.set('lesson', slug),
    resetLessonData: async (slug) => {
      kv.delete(`progress:${slug}`);
      kv.delete(`edits:${slug}`);
      kv.delete(`drafts:${slug}`);
    },
  };
}

const lesson = (slug: string, steps: number): Lesson =>
  ({
    slug,
    number: Number(slug.slice(0, 2)),
    title: slug,
    summary: '',
    minutes: 10,
    prerequisites: [],
    environment: { workdir: '/root/lab', open: [], images: [], setup: null, memoryMiB: null },
    intro: [],
    introMarkdown: '',
    steps: Array.from({ length: steps }, (_, i) => ({ id: `0${i + 1}-s`, index: i + 1 })),
    files: {},
    solution: {},
  }) as unknown as Lesson;

const lessons = [lesson('01-a', 3), lesson('02-b', 2)];

describe('LessonStore', () => {
  it('records moves and passed checks per lesson, and a new store (a reload) continues there', async () => {
    const data = memoryData();
    const a = new LessonStore(data);
    await a.load(lessons);
    expect(a.resume).toEqual({ slug: '01-a', step: 0, kind: 'start' });
    await a.select(lessons[1]!);
    await a.move(1);
    await a.complete(1);
    await a.move(2);
    await a.saveEdit('Dockerfile', 'FROM busybox\n');
    flushSync();
    expect(a.records['02-b']).toEqual({ current: 2, done: [1] });
    expect(a.resume).toEqual({ slug: '02-b', step: 2, kind: 'continue' });

    const b = new LessonStore(data);
    await b.load(lessons);
    expect(b.lastSlug).toBe('02-b');
    expect(b.records).toEqual({ '02-b': { current: 2, done: [1] } });
    expect(b.resume).toEqual({ slug: '02-b', step: 2, kind: 'continue' });
    await b.select(lessons[1]!);
    expect(b.progress).toEqual({ current: 2, done: [1] });
    expect(b.edits).toEqual({ Dockerfile: 'FROM busybox\n' });
  });

  it('moves stay inside the lesson; a finished lesson sends "continue" to the next one', async () => {
    const s = new LessonStore(memoryData());
    await s.load(lessons);
    await s.select(lessons[0]!);
    await s.move(9);
    expect(s.progress.current).toBe(3);
    for (const i of [1, 2, 3]) await s.complete(i);
    await s.complete(2);
    expect(s.progress.done).toEqual([1, 2, 3]);
    flushSync();
    expect(s.resume).toEqual({ slug: '02-b', step: 0, kind: 'continue' });
  });

  it("reset forgets the lesson's progress, edits and drafts, in the store and on disk", async () => {
    const data = memoryData();
    const s = new LessonStore(data);
    await s.load(lessons);
    await s.select(lessons[0]!);
    await s.complete(1);
    await s.saveEdit('a.txt', 'x');
    s.setDraft('a.txt', 'xy');
    await s.reset();
    expect(s.progress).toEqual({ current: 0, done: [] });
    expect(s.edits).toEqual({});
    expect(s.drafts).toEqual({});
    expect(s.records).toEqual({});
    expect([...data.kv.keys()]).toEqual(['lesson']);
  });

  it('unsaved editor text is stored as it changes, per lesson, and a new store (the next visit) has it', async () => {
    const data = memoryData();
    const a = new LessonStore(data);
    await a.load(lessons);
    await a.select(lessons[0]!);
    a.setDraft('Dockerfile', 'FROM b');
    a.setDraft('Dockerfile', 'FROM busybox');
    a.setDraft('notes.txt', 'x');
    a.setDraft('notes.txt', null);
    // The tab closes here: no further call on the store, only the writes already started.
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    const b = new LessonStore(data);
    await b.load(lessons);
    await b.select(lessons[0]!);
    expect(b.drafts).toEqual({ Dockerfile: 'FROM busybox' });
    await b.select(lessons[1]!);
    expect(b.drafts).toEqual({});
  });

  it('drafts typed in a lesson are there when the learner leaves it and comes straight back', async () => {
    const data = memoryData();
    let release: () => void = () => undefined;
    const saveDrafts = data.saveDrafts;
    // The first write is slow, as an IndexedDB commit under load can be.
    data.saveDrafts = (slug, d) => new Promise((r) => (release = () => r(saveDrafts(slug, d))));
    const s = new LessonStore(data);
    await s.load(lessons);
    await s.select(lessons[0]!);
    s.setDraft('a.txt', 'one');
    s.setDraft('a.txt', 'two');
    data.saveDrafts = saveDrafts;
    const moving = (async () => {
      await s.select(lessons[1]!);
      expect(s.drafts).toEqual({});
      await s.select(lessons[0]!);
    })();
    await new Promise((r) => setTimeout(r, 0));
    release();
    await moving;
    expect(s.drafts).toEqual({ 'a.txt': 'two' });
    expect(data.kv.get('drafts:01-a')).toEqual({ 'a.txt': 'two' });
  });

  it('a broken store reads as nothing stored, not as a failed page', async () => {
    const data = memoryData();
    data.loadAllProgress = () => Promise.reject(new Error('IndexedDB is blocked'));
    data.loadLastLesson = () => Promise.reject(new Error('IndexedDB is blocked'));
    data.loadProgress = () => Promise.reject(new Error('IndexedDB is blocked'));
    const s = new LessonStore(data);
    await s.load(lessons);
    await s.select(lessons[1]!);
    expect(s.records).toEqual({});
    expect(s.progress).toEqual({ current: 0, done: [] });
  });

  it('a hot update keeps the lesson and clamps the step to the steps it still has', async () => {
    const s = new LessonStore(memoryData());
    await s.load(lessons);
    await s.select(lessons[0]!);
    await s.move(3);
    const shorter = lesson('01-a', 2);
    expect(s.hotUpdate([shorter, lessons[1]!])).toBe(shorter);
    expect(s.progress.current).toBe(2);
    expect(s.hotUpdate([lessons[1]!])).toBeNull();
  });
});
