// Pure helpers of the playground UI (no DOM, no VM): tested in test/app/logic.test.ts.
import type { CodeMark } from '../lessons/types.ts';
import { DEFAULT_GUEST_MEMORY_MIB } from '../lessons/schema.ts';

/** Bytes to type into the terminal for a code block's button; null when the button only copies. */
export function terminalInput(mark: CodeMark | null, code: string): string | null {
  const text = code.replace(/\r\n/g, '\n').replace(/\n+$/, '');
  switch (mark) {
    case 'run':
      return text.replace(/\n/g, '\r') + '\r';
    case 'run-interrupt':
      return '\x03' + text.replace(/\n/g, '\r') + '\r';
    case 'type':
      return text.replace(/\n/g, '\r');
    default:
      return null;
  }
}

/** Keeps a splitter's pane fraction inside limits that leave every pane usable. */
export function clampFraction(f: number, min = 0.15, max = 0.85): number {
  if (!Number.isFinite(f)) return 0.5;
  return Math.min(max, Math.max(min, f));
}

export interface GuestFile {
  path: string;
  size: number;
  mtime: number;
}

/** Parses `stat -c '%Y %s %n'` lines (mtime, size, path) for the file tree and change polling. */
export function parseStatLines(out: string, root: string): GuestFile[] {
  const prefix = root.endsWith('/') ? root : root + '/';
  const files: GuestFile[] = [];
  for (const line of out.split('\n')) {
    const m = /^(\d+) (\d+) (.+)$/.exec(line.trim());
    if (!m || !m[3]!.startsWith(prefix)) continue;
    files.push({ mtime: Number(m[1]), size: Number(m[2]), path: m[3]!.slice(prefix.length) });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** Paths whose mtime or size changed (or that appeared) between two listings. */
export function changedFiles(before: GuestFile[], after: GuestFile[]): string[] {
  const old = new Map(before.map((f) => [f.path, f]));
  return after.filter((f) => {
    const o = old.get(f.path);
    return !o || o.mtime !== f.mtime || o.size !== f.size;
  }).map((f) => f.path);
}

/** Parses /proc/meminfo into used and total MiB. */
export function parseMeminfo(text: string): { usedMiB: number; totalMiB: number } | null {
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  const total = kb('MemTotal');
  const avail = kb('MemAvailable');
  if (!Number.isFinite(total) || !Number.isFinite(avail)) return null;
  return { usedMiB: Math.round((total - avail) / 1024), totalMiB: Math.round(total / 1024) };
}

/** A file as the parent last handed it to the editor (path and guest content). */
export interface ShownFile {
  path: string | null;
  content: string;
}

/**
 * Whether the editor must load the parent's file into a fresh model: always for another file,
 * for new guest content of the same file only when the learner has no unsaved edits. A change of
 * `dirty` alone (e.g. a save that just finished) never reloads, so it cannot revert the edit.
 */
export function shouldLoadFile(shown: ShownFile | null, next: ShownFile, dirty: boolean): boolean {
  if (!shown || shown.path !== next.path) return true;
  if (shown.content === next.content) return false;
  return !dirty;
}

/** Monaco language id for a file in the lab folder. */
export function languageOf(path: string): string {
  const name = path.split('/').pop()!.toLowerCase();
  if (name === 'dockerfile' || name.startsWith('dockerfile.') || name.endsWith('.dockerfile')) return 'dockerfile';
  if (/\.(ya?ml)$/.test(name)) return 'yaml';
  if (/\.(sh|bash)$/.test(name) || name === '.bashrc' || name === '.profile') return 'shell';
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.md')) return 'markdown';
  if (/\.(js|mjs)$/.test(name)) return 'javascript';
  if (name.endsWith('.py')) return 'python';
  return 'plaintext';
}

/** Lesson progress: which steps a learner completed, and where they are. */
export interface LessonProgress {
  current: number;
  done: number[];
}

export function markDone(p: LessonProgress, step: number): LessonProgress {
  return p.done.includes(step) ? p : { ...p, done: [...p.done, step].sort((a, b) => a - b) };
}

export function moveTo(p: LessonProgress, step: number, stepCount: number): LessonProgress {
  return { ...p, current: Math.min(stepCount, Math.max(0, step)) };
}

/** Why this browser cannot run the playground, or null when it can. */
export function unsupportedReason(env: {
  webAssembly: boolean;
  worker: boolean;
  deviceMemoryGiB?: number | undefined;
  /** Whether a WebAssembly memory as large as the guest's could be allocated. */
  canReserveGuestMemory?: boolean;
}): string | null {
  if (!env.webAssembly) return 'This browser has no WebAssembly, which the emulated computer needs. Use a current Chrome, Firefox, Edge or Safari, with WebAssembly enabled.';
  if (!env.worker) return 'This browser cannot run Web Workers, which the emulated computer runs in.';
  if (env.deviceMemoryGiB !== undefined && env.deviceMemoryGiB < 1)
    return `This device reports ${env.deviceMemoryGiB} GiB of memory; the playground needs about 1 GiB (the guest alone uses 256 MiB, plus the emulator and the page).`;
  if (env.canReserveGuestMemory === false)
    return 'This browser could not set aside the 320 MiB the emulated computer needs. Close other tabs or programs and reload.';
  return null;
}

/** A boot failure in words a learner can act on. */
export function explainBootError(message: string): string {
  if (/could not allocate memory|out of memory|allocation failed|Array buffer allocation/i.test(message))
    return `The browser ran out of memory for the emulated computer (${message}). Close other tabs and retry.`;
  return message;
}

/**
 * Whether a lesson that asks for `wantMiB` of guest memory (environment.memory; null: the
 * default) needs a new guest, given the running one's (null: the boot snapshot's default size).
 * A bigger guest than needed is kept: rebooting would cost the learner the guest's state.
 */
export function needsBiggerGuest(wantMiB: number | null, haveMiB: number | null): boolean {
  return (wantMiB ?? DEFAULT_GUEST_MEMORY_MIB) > (haveMiB ?? DEFAULT_GUEST_MEMORY_MIB);
}

/**
 * Watches the terminal for the learner's prompt: the shell's prompt ("# " or "$ ") printed after
 * the screen was cleared. The first byte back is usually the echo of the command typed, not a
 * shell ready for input, so it is not the mark bench:app times.
 */
export class PromptWatcher {
  private text = '';
  private readonly decoder = new TextDecoder();

  /** Feeds output; true once the prompt is on screen. */
  feed(data: Uint8Array): boolean {
    this.text = (this.text + this.decoder.decode(data, { stream: true })).slice(-4096);
    const cleared = Math.max(this.text.lastIndexOf('\x1b[J'), this.text.lastIndexOf('\x1b[2J'), this.text.lastIndexOf('\x1b[3J'));
    // busybox ash asks where the cursor is (ESC [6n) right after printing its prompt
    return cleared >= 0 && /[#$] (?:\x1b\[[0-9;?]*[A-Za-z])*$/.test(this.text.slice(cleared));
  }
}
