// Progress and edited files in IndexedDB (one key-value store), so a reload keeps both.
import type { LessonProgress } from './logic.ts';

const DB = 'whalebone';
const STORE = 'kv';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

let db: Promise<IDBDatabase> | null = null;

async function tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  db ??= open();
  const d = await db;
  return new Promise((resolve, reject) => {
    const req = fn(d.transaction(STORE, mode).objectStore(STORE));
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export const loadProgress = async (slug: string): Promise<LessonProgress> =>
  ((await tx('readonly', (s) => s.get(`progress:${slug}`))) as LessonProgress | undefined) ?? { current: 0, done: [] };
export const saveProgress = (slug: string, p: LessonProgress) => tx('readwrite', (s) => s.put(p, `progress:${slug}`));
export const loadEdits = async (slug: string): Promise<Record<string, string>> =>
  ((await tx('readonly', (s) => s.get(`edits:${slug}`))) as Record<string, string> | undefined) ?? {};
export const saveEdits = (slug: string, e: Record<string, string>) => tx('readwrite', (s) => s.put(e, `edits:${slug}`));
export const loadLastLesson = async (): Promise<string | undefined> => (await tx('readonly', (s) => s.get('lesson'))) as string | undefined;
export const saveLastLesson = (slug: string) => tx('readwrite', (s) => s.put(slug, 'lesson'));
export async function resetLessonData(slug: string): Promise<void> {
  await tx('readwrite', (s) => s.delete(`progress:${slug}`));
  await tx('readwrite', (s) => s.delete(`edits:${slug}`));
}
