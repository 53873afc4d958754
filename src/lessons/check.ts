// `lesson check`: every problem in a lesson set, as "file:line: message" lines.
import type { Diagnostic, LessonSet } from './types.ts';

export function allDiagnostics(set: LessonSet): Diagnostic[] {
  return [...set.errors, ...set.entries.flatMap((e) => e.errors)];
}

export function formatDiagnostic(d: Diagnostic, root = 'lessons'): string {
  return `${root}/${d.file}${d.line ? `:${d.line}` : ''}: ${d.message}`;
}
