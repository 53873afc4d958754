// Browser (Vite) only: the lessons folder bundled as text by import.meta.glob, and the URLs of
// its images. In the dev server, editing, adding or removing a lesson file re-runs this module
// (it accepts its own hot updates) and onLessonsUpdate listeners get the new set, so the app
// shows the change without a page reload (and without restarting the guest).
import { loadLessons, normaliseLessonFiles } from './loader.ts';
import type { LessonFiles, LessonSet } from './types.ts';

// Vite needs literal patterns here.
const texts = import.meta.glob<string>(['/lessons/**/*', '!/lessons/**/*.{png,jpg,jpeg,gif,svg,webp}'], {
  query: '?raw',
  import: 'default',
  eager: true,
});
const images = import.meta.glob<string>('/lessons/**/*.{png,jpg,jpeg,gif,svg,webp}', { query: '?url', import: 'default', eager: true });

/** Lesson sources keyed "slug/path"; images map to "" (the loader only needs to know they exist). */
export const bundledLessonFiles: LessonFiles = {
  ...normaliseLessonFiles(texts, '/lessons/'),
  ...normaliseLessonFiles(Object.fromEntries(Object.keys(images).map((k) => [k, ''])), '/lessons/'),
};

/** Image URLs keyed "slug/path", for resolving relative image links in lesson markdown. */
export const lessonImageUrls: Record<string, string> = normaliseLessonFiles(images, '/lessons/');

export function loadBundledLessons(): LessonSet {
  return loadLessons(bundledLessonFiles);
}

type LessonsListener = (lessons: LessonSet) => void;

// Listeners outlive the module instance a hot update replaces: keep them in the HMR data.
const listeners: Set<LessonsListener> = (import.meta.hot?.data as { listeners?: Set<LessonsListener> } | undefined)?.listeners ?? new Set();
if (import.meta.hot) {
  (import.meta.hot.data as { listeners?: Set<LessonsListener> }).listeners = listeners;
  import.meta.hot.accept((next) => {
    const load = (next as { loadBundledLessons?: () => LessonSet } | undefined)?.loadBundledLessons;
    if (!load) return;
    const set = load();
    for (const l of listeners) l(set);
  });
}

/** Calls listener with the new lessons after each hot update (dev server only); returns an unsubscribe. */
export function onLessonsUpdate(listener: LessonsListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
