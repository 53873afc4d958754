// Browser (Vite) only: the lessons folder bundled as text by import.meta.glob, and the URLs of
// its images. When a lesson file changes, Vite updates this module; re-running
// loadBundledLessons() is cheap (pure parsing, no I/O).
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
