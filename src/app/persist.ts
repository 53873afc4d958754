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

/**
 * One request in its own transaction, settled when the transaction is committed, not when the
 * request succeeds: a tab closed between the two would lose the write. commit() sends the
 * commit at once instead of at the end of the task (where a renderer that is going away may
 * never get).
 */
async function tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  db ??= open();
  const d = await db;
  return new Promise((resolve, reject) => {
    const t = d.transaction(STORE, mode);
    const req = fn(t.objectStore(STORE));
    t.oncomplete = () => resolve(req.result);
    t.onerror = () => reject(t.error ?? req.error);
    t.onabort = () => reject(t.error ?? new Error('the IndexedDB transaction was aborted'));
    if (mode === 'readwrite') t.commit?.();
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
export const loadEdits = async (slug: string): Promise<Record<string, string>> => textsByPath(await tx('readonly', (s) => s.get(`edits:${slug}`)));
export const saveEdits = (slug: string, e: Record<string, string>) => tx('readwrite', (s) => s.put(e, `edits:${slug}`));
/** Editor text not saved into the guest yet, by path (what the learner typed before the tab closed). */
export const loadDrafts = async (slug: string): Promise<Record<string, string>> => textsByPath(await tx('readonly', (s) => s.get(`drafts:${slug}`)));
export const saveDrafts = (slug: string, d: Record<string, string>) => tx('readwrite', (s) => s.put(d, `drafts:${slug}`));
export const loadLastLesson = async (): Promise<string | undefined> => (await tx('readonly', (s) => s.get('lesson'))) as string | undefined;
export const saveLastLesson = (slug: string) => tx('readwrite', (s) => s.put(slug, 'lesson'));
export async function resetLessonData(slug: string): Promise<void> {
  for (const kind of ['progress', 'edits', 'drafts']) await tx('readwrite', (s) => s.delete(`${kind}:${slug}`));
}

/** A stored path -> text record, whatever was stored (a missing or odd value reads as none). */
function textsByPath(raw: unknown): Record<string, string> {
  if (typeof raw !== 'object' || raw === null) return {};
  return Object.fromEntries(Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
