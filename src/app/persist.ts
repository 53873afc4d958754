// Progress and edited files in IndexedDB (one key-value store), so a reload keeps both.
import type { LessonProgress } from './logic.ts';
import { normaliseProgress } from './stores/progress.ts';

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

export const loadProgress = async (slug: string): Promise<LessonProgress> => normaliseProgress(await tx('readonly', (s) => s.get(`progress:${slug}`)));
/** The progress records of the given lessons, by slug; lessons never opened are left out. */
export async function loadAllProgress(slugs: readonly string[]): Promise<Record<string, LessonProgress>> {
  const values = await Promise.all(slugs.map((slug) => tx<unknown>('readonly', (s) => s.get(`progress:${slug}`))));
  const out: Record<string, LessonProgress> = {};
  slugs.forEach((slug, i) => {
    if (values[i] !== undefined) out[slug] = normaliseProgress(values[i]);
  });
  return out;
}
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
