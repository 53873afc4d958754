// Node-only: reads a lessons folder from disk into the map the pure loader takes.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLessons } from './loader.ts';
import type { LessonFiles, LessonSet } from './types.ts';

export const LESSONS_DIR = fileURLToPath(new URL('../../lessons', import.meta.url));

export function readLessonFiles(dir: string = LESSONS_DIR): LessonFiles {
  const files: LessonFiles = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files[relative(dir, p).split(sep).join('/')] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return files;
}

export function loadLessonsFromDisk(dir: string = LESSONS_DIR): LessonSet {
  return loadLessons(readLessonFiles(dir));
}
