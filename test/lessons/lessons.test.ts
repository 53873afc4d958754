// The real lessons: `lesson check` must find no problem, and `lesson test` must pass for every
// lesson against the real guest (skipped, with the reason, only when the guest is not built).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allDiagnostics, formatDiagnostic } from '../../src/lessons/check.ts';
import { testLesson } from '../../src/lessons/lesson-test.ts';
import { loadLessons } from '../../src/lessons/loader.ts';
import { loadLessonsFromDisk } from '../../src/lessons/node.ts';
import { openTestVm, type TestVm } from '../../src/lessons/node-vm.ts';

const set = loadLessonsFromDisk();

/**
 * Lessons whose solve scripts do minutes of real work in the emulator: a cold build that installs
 * python3 with dpkg (7), MariaDB's first start and WordPress's install (10). Played by
 * `npm run lesson -- test` and here with WHALEBONE_SLOW_LESSONS=1; `npm test` leaves them out to
 * keep CI in its time budget, and covers the same commands in test/guest/compose-wordpress-e2e,
 * build-e2e-guest and mirror-e2e.
 */
const SLOW_LESSONS = new Set(['07-dockerfile', '10-compose']);

describe('lesson check', () => {
  it('finds the lessons and no problem in them', () => {
    expect(set.entries.length).toBeGreaterThanOrEqual(4);
    expect(allDiagnostics(set).map((d) => formatDiagnostic(d))).toEqual([]);
  });
});

describe('lesson test (in the guest)', () => {
  let session: TestVm | null = null;
  let skip = '';

  beforeAll(async () => {
    const s = await openTestVm();
    if ('skip' in s) skip = s.skip;
    else session = s;
  });
  afterAll(async () => {
    await session?.close();
  });

  it('stops a hanging check, reports it, and keeps the guest usable; runs setup and copies files', async (ctx) => {
    if (!session) return ctx.skip(skip);
    const step = (title: string, extra = '') => `---\ntitle: ${title}\n${extra}---\n\n\`\`\`sh run\ntrue\n\`\`\`\n`;
    const synthetic = loadLessons({
      '90-probe/lesson.md': '---\ntitle: Probe\nsummary: s\nminutes: 1\nenvironment:\n  workdir: /root/probe\n  setup: setup.sh\n---\n',
      '90-probe/setup.sh': 'cat start/given.txt > from-setup.txt\n',
      '90-probe/files/start/given.txt': 'given\n',
      '90-probe/01-setup-ran.md': step('Setup ran'),
      '90-probe/01-setup-ran.check.sh': '[ "$(cat from-setup.txt)" = given ] && [ -f done ] || { echo "FAIL: not yet"; exit 1; }\n',
      '90-probe/01-setup-ran.solve.sh': 'touch done\n',
      '90-probe/02-hangs.md': step('Hangs', 'timeout: 2\n'),
      '90-probe/02-hangs.check.sh': 'sleep 1000\n',
      '90-probe/02-hangs.solve.sh': 'true\n',
    });
    const probe = synthetic.entries[0]?.lesson;
    expect(synthetic.entries[0]?.errors).toEqual([]);
    if (!probe) throw new Error('the probe lesson does not load');
    await session.fresh();
    const result = await testLesson(session.vm, probe, (l) => process.env.LESSON_LOG && process.stderr.write(`${l}\n`));
    expect(result.steps[0]?.problems).toEqual([]);
    expect(result.problems).toEqual([
      '90-probe/02-hangs.check.sh: hung before the solve script and was stopped after 2 s',
      '90-probe/02-hangs.check.sh: hung after the solve script and was stopped after 2 s',
    ]);
    expect(result.steps[1]?.before?.messages[0]?.text).toMatch(/did not finish within 2 s/);
    const after = await session.vm.exec('echo still here', { timeoutMs: 10_000 });
    expect(after.stdout.trim()).toBe('still here');
  }, 120_000);

  for (const entry of set.entries) {
    const slow = SLOW_LESSONS.has(entry.slug) && process.env['WHALEBONE_SLOW_LESSONS'] !== '1';
    it.skipIf(slow)(`${entry.slug}: each check fails before its solve script and passes after it${slow ? ' (slow lesson: WHALEBONE_SLOW_LESSONS=1 or npm run lesson -- test plays it)' : ''}`, async (ctx) => {
      if (!session) return ctx.skip(skip);
      if (!entry.lesson) throw new Error(`${entry.slug} does not load`);
      // Each lesson gets a guest of its own (of its environment.memory size), as `npm run lesson --
      // test` gives it: restoring the snapshot into a guest that earlier lessons used left the host
      // side of the lazily read registry share out of step with the guest, and the first pull
      // read an empty file. A fresh guest restores in about a second.
      const own = await openTestVm(undefined, entry.lesson.environment.memoryMiB ?? null);
      if ('skip' in own) throw new Error(own.skip);
      const vm = own;
      try {
        await vm.fresh();
        const result = await testLesson(vm.vm, entry.lesson);
        expect(result.problems).toEqual([]);
        expect(result.steps.length).toBe(entry.lesson.steps.length);
      } finally {
        await own?.close();
      }
    }, 600_000);
  }
});
