// The lessons the app shows. A build carries them parsed already: vite.config.ts runs the lesson
// loader over lessons/ at build time (parsing their YAML and markdown in the page took about a
// third of a second of main thread on a first visit). The dev server has no parsed copy: there
// the lessons are loaded from their sources, and a lesson edit arrives as a hot update.
import built from 'virtual:whalebone-lessons';
import type { Lesson, LessonSet } from '../lessons/types.ts';

const lessonsOf = (set: LessonSet): Lesson[] => set.entries.flatMap((e) => (e.lesson ? [e.lesson] : []));

/** The lessons of a build, or null under the dev server (use loadSourceLessons). */
export const builtLessons: Lesson[] | null = built ? lessonsOf(built) : null;

/** Dev server: the lessons parsed from their sources. */
export async function loadSourceLessons(): Promise<Lesson[]> {
  if (!import.meta.hot) return builtLessons ?? [];
  const { loadBundledLessons } = await import('../lessons/bundled.ts');
  return lessonsOf(loadBundledLessons());
}

/** Dev server: calls listener with the lessons after each edit of a lesson file; returns an unsubscribe. */
export function onSourceLessonsUpdate(listener: (lessons: Lesson[]) => void): () => void {
  if (!import.meta.hot) return () => undefined;
  let stop: (() => void) | null = null;
  let stopped = false;
  void import('../lessons/bundled.ts').then(({ onLessonsUpdate }) => {
    if (!stopped) stop = onLessonsUpdate((set) => listener(lessonsOf(set)));
  });
  return () => {
    stopped = true;
    stop?.();
  };
}
