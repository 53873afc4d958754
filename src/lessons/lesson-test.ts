// `lesson test`: plays a lesson headless against the real guest. From the lesson's starting state,
// each step's check must fail before its solve script runs and pass after it, in order.
import type { VmApi } from '../vm/types.ts';
import { runCheck, runSolve, startLesson, type CheckResult } from './runner.ts';
import type { Lesson } from './types.ts';

export interface StepTestResult {
  id: string;
  before: CheckResult | null;
  solveExitCode: number | null;
  solveMs?: number;
  after: CheckResult | null;
  problems: string[];
}

export interface LessonTestResult {
  slug: string;
  ok: boolean;
  /** Problems as "file: message", ready to print. */
  problems: string[];
  steps: StepTestResult[];
  durationMs: number;
}

function describe(r: CheckResult): string {
  const said = r.messages.map((m) => `${m.kind.toUpperCase()}: ${m.text}`).join(' | ');
  const err = r.stderr.trim().split('\n').slice(-3).join(' | ');
  return [`exit ${r.exitCode}`, said, err && `stderr: ${err}`].filter(Boolean).join('; ');
}

/** Runs the whole lesson; `log` receives one progress line per action. Never throws for lesson faults. */
export async function testLesson(vm: VmApi, lesson: Lesson, log: (line: string) => void = () => {}): Promise<LessonTestResult> {
  const started = Date.now();
  const problems: string[] = [];
  const steps: StepTestResult[] = [];
  try {
    log(`${lesson.slug}: setting up`);
    await startLesson(vm, lesson);
  } catch (err) {
    problems.push(`${lesson.environment.setup?.file ?? `${lesson.slug}/lesson.md`}: setup failed: ${(err as Error).message}`);
    return { slug: lesson.slug, ok: false, problems, steps, durationMs: Date.now() - started };
  }
  for (const step of lesson.steps) {
    const res: StepTestResult = { id: step.id, before: null, solveExitCode: null, after: null, problems: [] };
    steps.push(res);
    try {
      res.before = await runCheck(vm, lesson, step);
      if (res.before.timedOut) res.problems.push(`${step.checkScript.file}: hung before the solve script and was stopped after ${step.checkTimeoutMs / 1000} s`);
      else if (res.before.passed) res.problems.push(`${step.checkScript.file}: passes before the solve script ran (it must fail from the step's starting state)`);
      else if (!res.before.messages.some((m) => m.kind === 'fail'))
        res.problems.push(`${step.checkScript.file}: fails without a FAIL: line telling the learner what is missing (${describe(res.before)})`);
      // A solve may wait for slow real work (a database's first start in the emulator): allow minutes.
      const solve = await runSolve(vm, lesson, step, { timeoutMs: 600_000 });
      res.solveExitCode = solve.exitCode;
      res.solveMs = solve.durationMs;
      if (solve.exitCode !== 0)
        res.problems.push(`${step.solveScript.file}: exited with ${solve.exitCode}: ${(solve.stderr || solve.stdout).trim().split('\n').slice(-3).join(' | ')}`);
      res.after = await runCheck(vm, lesson, step);
      if (res.after.timedOut) res.problems.push(`${step.checkScript.file}: hung after the solve script and was stopped after ${step.checkTimeoutMs / 1000} s`);
      else if (!res.after.passed) res.problems.push(`${step.checkScript.file}: still fails after the solve script (${describe(res.after)})`);
    } catch (err) {
      res.problems.push(`${step.file}: ${(err as Error).message}`);
    }
    const secs = (ms: number | undefined) => (ms === undefined ? '-' : (ms / 1000).toFixed(1));
    log(`${lesson.slug}/${step.id}: ${res.problems.length === 0 ? 'ok' : 'FAILED'} (check ${secs(res.before?.durationMs)} s, solve ${secs(res.solveMs)} s, check ${secs(res.after?.durationMs)} s)`);
    problems.push(...res.problems);
  }
  return { slug: lesson.slug, ok: problems.length === 0, problems, steps, durationMs: Date.now() - started };
}
