// Lesson starting states (src/lessons/start-state.ts): for each lesson with images to pull or a
// setup script, restores the boot snapshot of its guest size in Node, runs the lesson's set-up
// exactly as the app does (startLesson), then drops the caches, zeroes free memory and saves the
// guest, compressed like the boot snapshot. Cached by the lesson's key, the guest it ran on and
// the registry and mirror it pulled from. States of lessons that no longer have a set-up are
// removed from vm-images/dist.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lessonStateFiles, DIST_FILES, type LessonStateMeta } from '../src/vm/assets.ts';
import { DEFAULT_MEMORY_MIB } from '../src/vm/core.ts';
import { createNodeVm, distPath, distRoot, snapshotInputsHash, v86Version } from '../src/vm/node.ts';
import { loadLessonsFromDisk } from '../src/lessons/node.ts';
import { startLesson } from '../src/lessons/runner.ts';
import { hasStartState, lessonStartKey } from '../src/lessons/start-state.ts';
import type { Lesson } from '../src/lessons/types.ts';
import { saveCompressed } from './build-snapshot.ts';
import { ensureHostTools } from './lib/apt.ts';
import { cached, install, repoRoot } from './lib/cache.ts';
import { BuildError, log, runMain, stage } from './lib/progress.ts';

const SCOPE = 'lesson-states';
// Part of the cache key: change it when the procedure below changes what it produces.
const RECIPE = 'boot snapshot; startLesson; sync; drop_caches=3; compact; zero free memory; save_state; zstd -19';

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

class SetupFailed extends Error {
  override name = 'SetupFailed';
}

export interface LessonStateResult {
  slug: string;
  file: string;
  meta: LessonStateMeta;
}

/** One state per lesson with a set-up, in course order; stale ones are removed from dist. */
export async function buildLessonStates(): Promise<LessonStateResult[]> {
  const set = loadLessonsFromDisk();
  const lessons = set.entries.flatMap((e) => (e.lesson && hasStartState(e.lesson) ? [e.lesson] : []));
  const out: LessonStateResult[] = [];
  if (lessons.length > 0) await ensureHostTools(SCOPE, { zstd: 'zstd' });
  for (const lesson of lessons) {
    // A lesson whose set-up fails still opens (the app runs the set-up and shows the error there):
    // one lesson being written must not stop the build of the others, nor `npm start`.
    const r = await buildLessonState(lesson).catch((e: unknown) => {
      if (!(e instanceof SetupFailed)) throw e;
      log(SCOPE, `warning: ${e.message}`);
      return null;
    });
    if (r) out.push(r);
  }
  const keep = new Set(out.flatMap((r) => Object.values(lessonStateFiles(r.slug))));
  for (const f of readdirSync(distRoot)) if (/^lesson-.+\.(bin\.zst|json)$/.test(f) && !keep.has(f)) rmSync(join(distRoot, f));
  return out;
}

/**
 * What a share's contents are known by: the cache key its build wrote beside it (its 9p index
 * would not do: it holds the files' times, which differ in every clone).
 */
function shareKey(name: string): string {
  const file = distPath(name, '.build-key');
  return existsSync(file) ? `${name} ${readFileSync(file, 'utf8').split(/\s/)[0]}` : `no ${name}`;
}

export async function buildLessonState(lesson: Lesson): Promise<LessonStateResult> {
  const memoryMiB = lesson.environment.memoryMiB ?? DEFAULT_MEMORY_MIB;
  const key = lessonStartKey(lesson);
  const bootInputs = snapshotInputsHash(memoryMiB);
  const files = lessonStateFiles(lesson.slug);
  const dir = await cached(SCOPE, {
    name: `lesson-state-${lesson.slug}`,
    inputs: [
      key,
      bootInputs,
      RECIPE,
      shareKey(DIST_FILES.registry),
      shareKey(DIST_FILES.mirror),
      // How the set-up is run is part of what the state holds.
      { file: join(repoRoot, 'src', 'lessons', 'runner.ts') },
    ],
    build: (tmp) => stage(SCOPE, `${lesson.slug}: set-up and save (${memoryMiB} MiB guest)`, () => saveLessonState(tmp, lesson, { key, memoryMiB, bootInputs })),
  });
  install(dir, 'state.bin.zst', distRoot, files.state);
  install(dir, 'state.json', distRoot, files.meta);
  const meta = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as LessonStateMeta;
  log(SCOPE, `vm-images/dist/${files.state}: ${mib(meta.compressedBytes)}`);
  return { slug: lesson.slug, file: join(distRoot, files.state), meta };
}

async function saveLessonState(out: string, lesson: Lesson, id: { key: string; memoryMiB: number; bootInputs: string }): Promise<void> {
  const vm = createNodeVm({ memoryMiB: id.memoryMiB, log: (m) => log(SCOPE, m) });
  try {
    await vm.boot();
    if (vm.lastBoot?.mode !== 'snapshot')
      throw new BuildError(`${lesson.slug}: the guest booted cold (${vm.lastBoot?.fallbackReason ?? 'no snapshot'}); a starting state is made on the boot snapshot`);
    const t0 = Date.now();
    await startLesson(vm, lesson).catch((e: unknown) => {
      throw new SetupFailed(`lessons/${lesson.slug}: its set-up failed, so it has no starting state (the app runs the set-up itself): ${e instanceof Error ? e.message : e}`);
    });
    log(SCOPE, `${lesson.slug}: set-up done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const meta: LessonStateMeta = {
      slug: lesson.slug,
      key: id.key,
      memoryMiB: id.memoryMiB,
      bootInputs: id.bootInputs,
      v86: v86Version,
      ...(await saveCompressed(vm, join(out, 'state.bin.zst'))),
      createdAt: new Date().toISOString(),
    };
    writeFileSync(join(out, 'state.json'), JSON.stringify(meta, null, 2) + '\n');
  } finally {
    await vm.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) runMain(SCOPE, async () => void (await buildLessonStates()));
