// Runs a lesson's scripts in the guest through the VM driver contract: used by the app (start a
// lesson, background and button checks, "Show me") and by `lesson test` in Node.
// Scripts and start files travel over the 9p share; the commands run on the control channel.
import type { ExecResult, VmApi } from '../vm/types.ts';
import type { Lesson, Step } from './types.ts';

/** Where the lesson files are placed on the 9p share, and where the guest sees the share. */
export const SHARE_DIR = '.lessons';
export const GUEST_SHARE = '/mnt/host';

export interface CheckMessage {
  kind: 'fail' | 'hint';
  text: string;
}

export interface CheckResult {
  passed: boolean;
  /** The script's FAIL: and HINT: lines, in order, without their prefixes. */
  messages: CheckMessage[];
  exitCode: number;
  /** True when the script did not finish within the step's timeout and was stopped. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Single-quotes a string for the guest's sh. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Picks the FAIL: and HINT: lines out of a check script's output. */
export function parseCheckOutput(output: string): CheckMessage[] {
  const messages: CheckMessage[] = [];
  for (const raw of output.split(/\r?\n/)) {
    const m = /^\s*(FAIL|HINT):\s?(.*)$/.exec(raw);
    if (m?.[2] !== undefined) messages.push({ kind: m[1] === 'FAIL' ? 'fail' : 'hint', text: m[2].trimEnd() });
  }
  return messages;
}

function shareDirOf(lesson: Lesson): string {
  return `${SHARE_DIR}/${lesson.slug}`;
}

/** The guest path of a lesson script (its `file` is "slug/name.sh"). */
function guestScriptPath(file: string): string {
  return `${GUEST_SHARE}/${SHARE_DIR}/${file}`;
}

/**
 * Copies the lesson's scripts and start files onto the 9p share. These are host-side writes into
 * the share (no guest process runs), issued together; the guest sees them at once.
 */
export async function installLesson(vm: VmApi, lesson: Lesson, extraFiles: Record<string, string> = {}): Promise<void> {
  const dir = shareDirOf(lesson);
  const writes: [string, string][] = [];
  for (const step of lesson.steps)
    for (const s of [step.checkScript, step.solveScript]) writes.push([`${SHARE_DIR}/${s.file}`, s.text]);
  if (lesson.environment.setup) writes.push([`${SHARE_DIR}/${lesson.environment.setup.file}`, lesson.environment.setup.text]);
  for (const [path, text] of Object.entries(lesson.files)) writes.push([`${dir}/files/${path}`, text]);
  for (const [path, text] of Object.entries(extraFiles)) writes.push([`${dir}/extra/${safeRelPath(path)}`, text]);
  await Promise.all(writes.map(([path, text]) => vm.writeFile(path, text)));
}

/** A relative path inside the working folder, or a clear error. */
function safeRelPath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) throw new LessonSetupError(`bad file path for the working folder: ${JSON.stringify(path)}`);
  return parts.join('/');
}

export class LessonSetupError extends Error {
  override name = 'LessonSetupError';
}

/**
 * Puts the guest in the lesson's starting state: installs the files, creates the working folder,
 * copies files/ into it and runs the setup script there. Throws LessonSetupError on failure.
 */
export async function startLesson(
  vm: VmApi,
  lesson: Lesson,
  opts: {
    timeoutMs?: number;
    /** Files (path relative to the working folder -> text) written after the start files and the setup script, e.g. the learner's saved edits. */
    extraFiles?: Record<string, string>;
  } = {},
): Promise<ExecResult | null> {
  const extra = opts.extraFiles ?? {};
  const share = `${GUEST_SHARE}/${shareDirOf(lesson)}`;
  await installLesson(vm, lesson, extra);
  const wd = shellQuote(lesson.environment.workdir);
  const copy = Object.keys(lesson.files).length > 0 ? ` && cp -a ${shellQuote(`${share}/files`)}/. ${wd}/` : '';
  // Removed once copied, so a later start never brings back files the learner has since reset.
  const copyExtra = Object.keys(extra).length > 0 ? ` && cp -a ${shellQuote(`${share}/extra`)}/. ${wd}/ && rm -rf ${shellQuote(`${share}/extra`)}` : '';
  // One guest command for the folder, the start files and (without a setup script) the extra files.
  const prep = await vm.exec(`mkdir -p ${wd}${copy}${lesson.environment.setup ? '' : copyExtra}`, { timeoutMs: 30_000 });
  if (prep.exitCode !== 0)
    throw new LessonSetupError(`${lesson.slug}: preparing ${lesson.environment.workdir} failed (exit ${prep.exitCode}): ${(prep.stderr || prep.stdout).trim()}`);
  // The lesson's images are in place before its first command, so that command answers at once.
  const images = lesson.environment.images;
  if (images.length > 0) {
    const pull = await vm.exec(images.map((i) => `docker pull -q ${shellQuote(i)}`).join(' && '), { timeoutMs: opts.timeoutMs ?? 300_000 });
    if (pull.exitCode !== 0)
      throw new LessonSetupError(`${lesson.slug}/lesson.md: pulling ${images.join(', ')} failed (exit ${pull.exitCode}): ${(pull.stderr || pull.stdout).trim()}`);
  }
  const setup = lesson.environment.setup;
  if (!setup) return null;
  const r = await vm.exec(`cd ${wd} && sh ${shellQuote(guestScriptPath(setup.file))}${copyExtra}`, { timeoutMs: opts.timeoutMs ?? 120_000 });
  if (r.exitCode !== 0)
    throw new LessonSetupError(`${setup.file} exited with ${r.exitCode}: ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n')}`);
  return r;
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (/timeout/i.test(err.name) || /timed out/i.test(err.message));
}

/**
 * Runs a step's check in the guest, in the working folder. The guest's `timeout` stops a hung
 * script (and the driver's own timeout backs it up), so a bad check never blocks the lesson.
 */
export async function runCheck(vm: VmApi, lesson: Lesson, step: Step): Promise<CheckResult> {
  const secs = Math.max(1, Math.ceil(step.checkTimeoutMs / 1000));
  const cmd = `cd ${shellQuote(lesson.environment.workdir)} && timeout -s KILL ${secs} sh ${shellQuote(guestScriptPath(step.checkScript.file))} </dev/null`;
  const started = Date.now();
  let r: ExecResult;
  try {
    r = await vm.exec(cmd, { timeoutMs: step.checkTimeoutMs + 5_000 });
  } catch (err) {
    if (!isTimeout(err)) throw err;
    return timedOut(step, Date.now() - started);
  }
  // busybox timeout reports the KILL as exit 137 (128 + 9); treat a run that lasted the whole
  // timeout that way as hung rather than as a failed check.
  if (r.exitCode === 137 && r.durationMs >= step.checkTimeoutMs - 500) return timedOut(step, r.durationMs, r);
  return {
    passed: r.exitCode === 0,
    messages: parseCheckOutput(r.stdout),
    exitCode: r.exitCode,
    timedOut: false,
    stdout: r.stdout,
    stderr: r.stderr,
    durationMs: r.durationMs,
  };
}

function timedOut(step: Step, durationMs: number, r?: ExecResult): CheckResult {
  return {
    passed: false,
    messages: [{ kind: 'fail', text: `the check did not finish within ${step.checkTimeoutMs / 1000} s and was stopped (${step.checkScript.file})` }],
    exitCode: r?.exitCode ?? -1,
    timedOut: true,
    stdout: r?.stdout ?? '',
    stderr: r?.stderr ?? '',
    durationMs,
  };
}

/** Runs a step's solve script ("Show me") on the control channel, in the working folder. */
export async function runSolve(vm: VmApi, lesson: Lesson, step: Step, opts: { timeoutMs?: number } = {}): Promise<ExecResult> {
  const cmd = `cd ${shellQuote(lesson.environment.workdir)} && sh ${shellQuote(guestScriptPath(step.solveScript.file))} </dev/null`;
  return vm.exec(cmd, { timeoutMs: opts.timeoutMs ?? 60_000 });
}

/**
 * The command to type in the learner's terminal to run a step's solve script where they can see
 * it (after installLesson or startLesson put the script on the share).
 */
export function solveCommandForTerminal(lesson: Lesson, step: Step): string {
  return `cd ${shellQuote(lesson.environment.workdir)} && sh ${shellQuote(guestScriptPath(step.solveScript.file))}`;
}
