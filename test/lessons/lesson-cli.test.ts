// scripts/lesson.ts as an author runs it: scaffold, check (file:line output, exit codes).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'lessons-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lesson(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/lesson.ts', ...args, '--dir', dir], { encoding: 'utf8', cwd: process.cwd() });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('npm run lesson', () => {
  it('scaffolds a lesson that passes check, then reports broken input as file:line and exits 1', () => {
    expect(lesson('check').code).toBe(1); // no lessons at all
    const made = lesson('new', 'volumes');
    expect(made.code).toBe(0);
    expect(made.out).toMatch(/created .*01-volumes\//);
    expect(lesson('check')).toMatchObject({ code: 0, out: '' });

    const md = join(dir, '01-volumes', '01-first-step.md');
    writeFileSync(md, readFileSync(md, 'utf8').replace('check: auto', 'chek: auto').replace('```sh run', '```sh rnu'));
    unlinkSync(join(dir, '01-volumes', '01-first-step.solve.sh'));
    const r = lesson('check');
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n').map((l) => l.replace(/^.*?01-volumes\//, ''));
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^01-first-step\.md:5: unknown key "chek" \(did you mean "check"\?\)/),
        expect.stringMatching(/^01-first-step\.md:10: unknown code-block mark "rnu"/),
        expect.stringMatching(/^01-first-step\.md:1: missing 01-first-step\.solve\.sh/),
      ]),
    );
    expect(r.err).toMatch(/problems in 1 of 1 lessons/);
  }, 60_000);

  it('refuses unknown commands and names with usage', () => {
    expect(lesson('frobnicate').code).toBe(2);
    expect(lesson('new', 'Bad Name')).toMatchObject({ code: 1, err: expect.stringMatching(/not a lesson name/) });
    expect(lesson('test', 'no-such-lesson')).toMatchObject({ code: 2, err: expect.stringMatching(/no lesson no-such-lesson/) });
  }, 60_000);
});
