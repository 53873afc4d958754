// The lessons parsed at build time by vite.config.ts (null under the dev server).
declare module 'virtual:whalebone-lessons' {
  import type { LessonSet } from '../lessons/types.ts';
  const set: LessonSet | null;
  export default set;
}

// Guest memory (MiB) of the lessons that ask for more than the boot snapshot's, by slug.
declare module 'virtual:whalebone-lesson-memory' {
  const memory: Record<string, number>;
  export default memory;
  /** The starting-state key (lessonStartKey) of each lesson with a set-up, by slug. */
  export const startKeys: Record<string, string>;
  /** The boot snapshot's metadata (vm-images/dist/state.json) at build time; null under the dev server or without one. */
  export const snapshotMeta: import('../vm/assets.ts').SnapshotMeta | null;
}
