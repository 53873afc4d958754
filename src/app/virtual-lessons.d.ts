// The lessons parsed at build time by vite.config.ts (null under the dev server).
declare module 'virtual:whalebone-lessons' {
  import type { LessonSet } from '../lessons/types.ts';
  const set: LessonSet | null;
  export default set;
}
