// A lesson's starting state: the guest saved at build time right after the lesson's set-up (its
// images pulled, its setup script run), so that opening the lesson restores that state instead of
// running the set-up again in the learner's tab, where a cold JIT made it take 5-10 s.
// The key says which version of the lesson a state was made from; the browser and the build
// compute it with the same code, so an edited lesson never gets a state made from its older self:
// it runs its set-up as before.
import { DEFAULT_GUEST_MEMORY_MIB } from './schema.ts';
import { GUEST_SHARE, installLesson, LessonSetupError, SHARE_DIR, shellQuote } from './runner.ts';
import type { Lesson } from './types.ts';
import type { ExecResult, VmApi } from '../vm/types.ts';

/** Whether a lesson has a set-up worth saving: images to pull or a setup script to run. */
export function hasStartState(lesson: Lesson): boolean {
  return lesson.environment.images.length > 0 || lesson.environment.setup !== null;
}

/** Everything the lesson's starting state depends on, canonical: sorted file names, fixed field order. */
function startInputs(lesson: Lesson): string {
  const env = lesson.environment;
  const files = Object.keys(lesson.files)
    .sort()
    .map((path) => [path, lesson.files[path]]);
  return JSON.stringify({
    slug: lesson.slug,
    workdir: env.workdir,
    images: env.images,
    setup: env.setup ? [env.setup.file, env.setup.text] : null,
    memoryMiB: env.memoryMiB ?? DEFAULT_GUEST_MEMORY_MIB,
    files,
  });
}

/**
 * A 96-bit digest (24 hex digits) of the lesson's set-up inputs: three FNV-1a lanes with their own
 * seeds over the UTF-8 bytes. It only detects change (nothing here is secret), and it needs no Web
 * Crypto, which a page served over plain HTTP from another machine does not get.
 */
export function lessonStartKey(lesson: Lesson): string {
  const bytes = new TextEncoder().encode(startInputs(lesson));
  const lanes = [0x811c9dc5, 0x050c5d1f, 0x6b43a9b5];
  return lanes
    .map((seed, lane) => {
      let h = seed >>> 0;
      for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i]! + lane * 131), 0x01000193) >>> 0;
      // A final mix, so that a last byte's change reaches every digit.
      h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
      h = Math.imul(h ^ (h >>> 12), 0x297a2d39) >>> 0;
      return ((h ^ (h >>> 15)) >>> 0).toString(16).padStart(8, '0');
    })
    .join('');
}

/**
 * After a restored starting state: the lesson's scripts as they are now (a state holds those of
 * its build) and the learner's saved edits over the start files, as startLesson would leave them.
 */
export async function finishFromStartState(vm: VmApi, lesson: Lesson, extraFiles: Record<string, string> = {}): Promise<ExecResult | null> {
  await installLesson(vm, lesson, extraFiles);
  if (Object.keys(extraFiles).length === 0) return null;
  const extra = shellQuote(`${GUEST_SHARE}/${SHARE_DIR}/${lesson.slug}/extra`);
  const wd = shellQuote(lesson.environment.workdir);
  const r = await vm.exec(`mkdir -p ${wd} && cp -a ${extra}/. ${wd}/ && rm -rf ${extra}`, { timeoutMs: 30_000 });
  if (r.exitCode !== 0) throw new LessonSetupError(`${lesson.slug}: copying your saved files into ${lesson.environment.workdir} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`);
  return r;
}
