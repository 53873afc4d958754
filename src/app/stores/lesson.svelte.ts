// The lesson the learner is in, their progress in it and in every other lesson (for the course
// page), their saved edits and the editor text they have not saved yet (drafts); each change is
// stored (IndexedDB, src/app/persist.ts) so a reload, or a tab closed mid-lesson, keeps it. Pure decisions live in logic.ts and stores/progress.ts (unit-tested).
import type { Lesson } from '../../lessons/types.ts';
import { markDone, moveTo, type LessonProgress } from '../logic.ts';
import * as persist from '../persist.ts';
import { continueTarget, emptyProgress, type ContinueTarget } from './progress.ts';
import { LatestWriter } from './latest-writer.ts';

/** Where the store keeps its records (persist.ts in the app). */
export interface LessonData {
  loadProgress(slug: string): Promise<LessonProgress>;
  loadAllProgress(slugs: readonly string[]): Promise<Record<string, LessonProgress>>;
  saveProgress(slug: string, p: LessonProgress): Promise<unknown>;
  loadEdits(slug: string): Promise<Record<string, string>>;
  saveEdits(slug: string, edits: Record<string, string>): Promise<unknown>;
  loadDrafts(slug: string): Promise<Record<string, string>>;
  saveDrafts(slug: string, drafts: Record<string, string>): Promise<unknown>;
  loadLastLesson(): Promise<string | undefined>;
  saveLastLesson(slug: string): Promise<unknown>;
  resetLessonData(slug: string): Promise<void>;
}

export class LessonStore {
  lessons = $state.raw<Lesson[]>([]);
  lesson = $state.raw<Lesson | null>(null);
  progress = $state.raw<LessonProgress>(emptyProgress());
  /** Every lesson's progress by slug (those never opened have no record). */
  records = $state.raw<Record<string, LessonProgress>>({});
  /** The lesson the learner last opened. */
  lastSlug = $state<string | undefined>(undefined);
  /** Files of the lesson the learner saved in the editor: written over the start files on setup. */
  edits: Record<string, string> = {};
  /** Editor text of the lesson's files not saved into the guest yet, by path. */
  drafts: Record<string, string> = {};
  // Drafts change with every key: stored as they change, at most one write behind (see LatestWriter).
  private readonly draftWriter = new LatestWriter<{ slug: string; drafts: Record<string, string> }>((v) => this.data.saveDrafts(v.slug, v.drafts));
  /** Where "continue where I left off" goes. */
  readonly resume: ContinueTarget | null = $derived(continueTarget(this.lessons, this.records, this.lastSlug));

  constructor(private readonly data: LessonData = persist) {}

  /** The course's lessons and every stored record; failures read as "nothing stored". */
  async load(lessons: Lesson[]): Promise<void> {
    this.lessons = lessons;
    const [records, last] = await Promise.all([
      this.data.loadAllProgress(lessons.map((l) => l.slug)).catch(() => ({})),
      this.data.loadLastLesson().catch(() => undefined),
    ]);
    this.records = records;
    this.lastSlug = last;
  }

  find(slug: string | undefined): Lesson | undefined {
    return this.lessons.find((l) => l.slug === slug);
  }

  /** Makes l the current lesson with its stored progress and edits. */
  async select(l: Lesson): Promise<void> {
    this.lesson = l;
    this.progress = await this.data.loadProgress(l.slug).catch(() => emptyProgress());
    this.edits = await this.data.loadEdits(l.slug).catch(() => ({}));
    // Written before they are read: a draft typed in the lesson just left may still be on its way.
    await this.draftWriter.settled();
    this.drafts = await this.data.loadDrafts(l.slug).catch(() => ({}));
    this.lastSlug = l.slug;
    void this.data.saveLastLesson(l.slug).catch(() => undefined);
  }

  async move(step: number): Promise<void> {
    if (!this.lesson) return;
    await this.store(moveTo(this.progress, step, this.lesson.steps.length));
  }

  /** A step's check passed. */
  async complete(step: number): Promise<void> {
    if (!this.lesson) return;
    await this.store(markDone(this.progress, step));
  }

  async saveEdit(path: string, text: string): Promise<void> {
    this.edits = { ...this.edits, [path]: text };
    if (this.lesson) await this.data.saveEdits(this.lesson.slug, this.edits).catch(() => undefined);
  }

  /** The editor's text of path differs from the guest's (text), or no longer does (null). */
  setDraft(path: string, text: string | null): void {
    if (!this.lesson || (text === null ? !(path in this.drafts) : this.drafts[path] === text)) return;
    const { [path]: _, ...rest } = this.drafts;
    this.drafts = text === null ? rest : { ...rest, [path]: text };
    this.draftWriter.set({ slug: this.lesson.slug, drafts: this.drafts });
  }

  /** The page is going away: the newest drafts are written now. */
  flush(): void {
    this.draftWriter.flush();
  }

  /** Forgets the current lesson's progress, edits and drafts. */
  async reset(): Promise<void> {
    if (!this.lesson) return;
    // A draft write still running would put the drafts back after the reset.
    await this.draftWriter.settled();
    await this.data.resetLessonData(this.lesson.slug);
    this.edits = {};
    this.drafts = {};
    this.progress = emptyProgress();
    const { [this.lesson.slug]: _, ...rest } = this.records;
    this.records = rest;
  }

  /** Dev server hot update: new lesson text; returns the current lesson's new version, if it still exists. */
  hotUpdate(next: Lesson[]): Lesson | null {
    this.lessons = next;
    const same = this.lesson ? (next.find((l) => l.slug === this.lesson!.slug) ?? null) : null;
    if (!same) return null;
    this.lesson = same;
    this.progress = moveTo(this.progress, this.progress.current, same.steps.length);
    return same;
  }

  private async store(p: LessonProgress): Promise<void> {
    const slug = this.lesson!.slug;
    this.progress = p;
    this.records = { ...this.records, [slug]: p };
    await this.data.saveProgress(slug, p);
  }
}
