// Lesson authoring tools:
//   npm run lesson -- new <name>        scaffold lessons/NN-name/
//   npm run lesson -- check             validate every lesson; prints file:line: message
//   npm run lesson -- test [slug...]    play lessons headless against the real guest
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { allDiagnostics, formatDiagnostic } from '../src/lessons/check.ts';
import { testLesson } from '../src/lessons/lesson-test.ts';
import { LESSONS_DIR, loadLessonsFromDisk, readLessonFiles } from '../src/lessons/node.ts';
import { scaffoldLesson } from '../src/lessons/scaffold.ts';
import { openTestVm } from '../src/lessons/node-vm.ts';

const USAGE = `usage: npm run lesson -- <command> [--dir <lessons folder>]
  new <name>          scaffold lessons/NN-name/ (name: lowercase words joined by "-")
  check               validate every lesson (schema, files, links, code-block marks)
  test [slug...]      run lessons headless in the guest: each check fails before its solve and passes after`;

/** The lessons folder: --dir, else the repository's lessons/. */
let lessonsDir = LESSONS_DIR;
const rel = (p: string) => relative(process.cwd(), p) || '.';

function cmdNew(args: string[]): number {
  const name = args[0];
  if (!name || args.length > 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const existing = Object.keys(readLessonFiles(lessonsDir)).map((p) => p.split('/')[0] ?? '').filter((s, i, a) => s && a.indexOf(s) === i);
  let scaffold;
  try {
    scaffold = scaffoldLesson(name, existing);
  } catch (e) {
    process.stderr.write(`lesson new: ${(e as Error).message}\n`);
    return 1;
  }
  const dir = join(lessonsDir, scaffold.slug);
  if (existsSync(dir)) {
    process.stderr.write(`lesson new: ${dir} already exists\n`);
    return 1;
  }
  for (const [path, text] of Object.entries(scaffold.files)) {
    const p = join(dir, path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  process.stdout.write(`created ${rel(dir)}/ (${Object.keys(scaffold.files).length} files); see lessons/README.md for the format\n`);
  return 0;
}

function cmdCheck(): number {
  const set = loadLessonsFromDisk(lessonsDir);
  const diags = allDiagnostics(set);
  for (const d of diags) process.stdout.write(`${formatDiagnostic(d, rel(lessonsDir))}\n`);
  const broken = set.entries.filter((e) => e.errors.length > 0).length;
  const steps = set.entries.reduce((n, e) => n + (e.lesson?.steps.length ?? 0), 0);
  if (set.entries.length === 0) {
    process.stderr.write(`lesson check: no lesson folders in ${rel(lessonsDir)}\n`);
    return 1;
  }
  process.stderr.write(
    diags.length === 0
      ? `lesson check: ${set.entries.length} lessons, ${steps} steps, no problems\n`
      : `lesson check: ${diags.length} problem${diags.length === 1 ? '' : 's'} in ${broken} of ${set.entries.length} lessons\n`,
  );
  return diags.length === 0 ? 0 : 1;
}

async function cmdTest(slugs: string[]): Promise<number> {
  const set = loadLessonsFromDisk(lessonsDir);
  const unknown = slugs.filter((s) => !set.entries.some((e) => e.slug === s || e.slug.slice(3) === s));
  if (unknown.length > 0) {
    process.stderr.write(`lesson test: no lesson ${unknown.join(', ')}; lessons: ${set.entries.map((e) => e.slug).join(', ')}\n`);
    return 2;
  }
  const chosen = set.entries.filter((e) => slugs.length === 0 || slugs.includes(e.slug) || slugs.includes(e.slug.slice(3)));
  let failed = 0;
  const broken = chosen.filter((e) => !e.lesson || e.errors.length > 0);
  for (const e of broken) {
    for (const d of e.errors) process.stdout.write(`${formatDiagnostic(d, rel(lessonsDir))}\n`);
    process.stdout.write(`FAIL ${e.slug}: does not pass lesson check\n`);
    failed++;
  }
  const runnable = chosen.filter((e) => e.lesson && e.errors.length === 0);
  if (runnable.length === 0) return failed > 0 ? 1 : 0;
  const log = (l: string) => process.stderr.write(`[lesson] ${l}\n`);
  // One guest per memory size the lessons ask for (environment.memory), each reset between lessons.
  const sizes = [...new Set(runnable.map((e) => e.lesson?.environment.memoryMiB ?? null))];
  for (const memoryMiB of sizes) {
    if (memoryMiB) log(`guest of ${memoryMiB} MiB for ${runnable.filter((e) => e.lesson?.environment.memoryMiB === memoryMiB).map((e) => e.slug).join(', ')}`);
    const session = await openTestVm(log, memoryMiB);
    if ('skip' in session) {
      process.stderr.write(`lesson test: ${session.skip}\n`);
      return 1;
    }
    try {
      for (const e of runnable) {
        if (!e.lesson || (e.lesson.environment.memoryMiB ?? null) !== memoryMiB) continue;
        await session.fresh();
        const r = await testLesson(session.vm, e.lesson, log);
        for (const p of r.problems) process.stdout.write(`${rel(lessonsDir)}/${p}\n`);
        process.stdout.write(`${r.ok ? 'PASS' : 'FAIL'} ${r.slug}: ${r.steps.length} steps in ${(r.durationMs / 1000).toFixed(1)} s\n`);
        if (!r.ok) failed++;
      }
    } finally {
      await session.close();
    }
  }
  return failed > 0 ? 1 : 0;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--dir');
  if (at >= 0) {
    const dir = argv[at + 1];
    if (!dir) {
      process.stderr.write(`lesson: --dir needs a folder\n${USAGE}\n`);
      return 2;
    }
    lessonsDir = resolve(dir);
    argv.splice(at, 2);
  }
  const [cmd, ...args] = argv;
  switch (cmd) {
    case 'new':
      return cmdNew(args);
    case 'check':
      return cmdCheck();
    case 'test':
      return cmdTest(args);
    default:
      process.stderr.write(`${cmd ? `lesson: unknown command "${cmd}"\n` : ''}${USAGE}\n`);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`lesson: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
