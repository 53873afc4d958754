import { describe, expect, it } from 'vitest';
import { loadLessons, normaliseLessonFiles } from '../../src/lessons/loader.ts';
import { scaffoldLesson } from '../../src/lessons/scaffold.ts';
import type { LessonFiles } from '../../src/lessons/types.ts';

// A small valid lesson, built from the scaffold so the test follows the documented format.
function validLesson(slug = '01-demo'): LessonFiles {
  const s = scaffoldLesson(slug, []);
  return Object.fromEntries(Object.entries(s.files).map(([p, t]) => [`${slug}/${p}`, t]));
}

const messages = (files: LessonFiles) => {
  const set = loadLessons(files);
  return [...set.errors, ...set.entries.flatMap((e) => e.errors)].map((d) => `${d.file}:${d.line ?? '-'}: ${d.message}`);
};

describe('loadLessons', () => {
  it('loads a valid lesson with its steps, marks, quiz, callout and scripts', () => {
    const set = loadLessons(validLesson());
    expect(set.errors).toEqual([]);
    const [entry] = set.entries;
    expect(entry?.errors).toEqual([]);
    const lesson = entry?.lesson;
    expect(lesson?.title).toBe('Demo');
    expect(lesson?.minutes).toBe(15);
    expect(lesson?.environment).toMatchObject({ workdir: '/root/lab', open: ['notes.txt'], images: [], setup: null, memoryMiB: null });
    expect(lesson?.files).toHaveProperty('notes.txt');
    expect(lesson?.intro.map((b) => b.kind)).toEqual(['markdown', 'callout']);
    const step = lesson?.steps[0];
    expect(step).toMatchObject({ id: '01-first-step', index: 1, check: 'auto', checkTimeoutMs: 15_000 });
    expect(step?.checkScript.text).toContain('FAIL:');
    expect(step?.solveScript.file).toBe('01-demo/01-first-step.solve.sh');
    const code = step?.blocks.find((b) => b.kind === 'code');
    expect(code).toMatchObject({ kind: 'code', lang: 'sh', mark: 'run', code: 'touch done.txt', line: 10 });
    const quiz = step?.blocks.find((b) => b.kind === 'quiz');
    expect(quiz?.kind === 'quiz' && quiz.quiz).toMatchObject({ multiple: false, choices: [{ correct: true }, { correct: false }] });
  });

  it('accepts Vite glob keys after normalising', () => {
    const files = normaliseLessonFiles(
      Object.fromEntries(Object.entries(validLesson()).map(([p, t]) => [`/lessons/${p}`, t])),
      '/lessons/',
    );
    expect(loadLessons(files).entries[0]?.lesson?.slug).toBe('01-demo');
  });

  it('reports a typo in front matter at its line, with a suggestion', () => {
    const files = validLesson();
    files['01-demo/lesson.md'] = files['01-demo/lesson.md']!.replace('summary:', 'sumary:');
    expect(messages(files)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^01-demo\/lesson\.md:3: unknown key "sumary" \(did you mean "summary"\?\)/),
        expect.stringMatching(/^01-demo\/lesson\.md:2: missing required key "summary"/),
      ]),
    );
    expect(loadLessons(files).entries[0]?.lesson).toBeNull();
  });

  it('reports bad values and YAML syntax errors with lines', () => {
    const files = validLesson();
    files['01-demo/01-first-step.md'] = files['01-demo/01-first-step.md']!.replace('check: auto', 'check: automatic');
    expect(messages(files)).toContainEqual(expect.stringMatching(/^01-demo\/01-first-step\.md:5: check: "automatic" is not one of "auto", "button"/));
    const bad = validLesson();
    bad['01-demo/lesson.md'] = bad['01-demo/lesson.md']!.replace('minutes: 15', 'minutes: [15');
    expect(messages(bad)).toContainEqual(expect.stringMatching(/^01-demo\/lesson\.md:\d+: YAML: /));
  });

  it('reports missing and orphan scripts', () => {
    const files = validLesson();
    delete files['01-demo/01-first-step.check.sh'];
    files['01-demo/02-other.solve.sh'] = 'true\n';
    const m = messages(files);
    expect(m).toContainEqual(expect.stringMatching(/^01-demo\/01-first-step\.md:1: missing 01-first-step\.check\.sh/));
    expect(m).toContainEqual(expect.stringMatching(/^01-demo\/02-other\.solve\.sh:1: no step 02-other\.md/));
  });

  it('reports unknown code-block marks, callouts, bad quizzes and broken links at their lines', () => {
    const files = { ...validLesson(), ...validLesson('02-more') };
    files['01-demo/01-first-step.md'] = `---
title: T
---
See [the next lesson](../02-missing/), [another](../02-more/lesson.md), [gone](../02-more/nope.md) and [a file](files/nope.txt) and [ok](files/notes.txt).

\`\`\`sh rnu
ls
\`\`\`

> [!DANGER]
> careful

\`\`\`quiz
question: Q?
choices:
  - text: only one
\`\`\`

\`\`\`run
ls
\`\`\`
`;
    const m = messages(files);
    expect(m).toContainEqual(expect.stringMatching(/^01-demo\/01-first-step\.md:4: link "\.\.\/02-missing\/": no lesson folder "02-missing"/));
    expect(m).toContainEqual(expect.stringMatching(/^01-demo\/01-first-step\.md:4: broken link "files\/nope\.txt"/));
    expect(m.filter((x) => x.includes('notes.txt') || x.includes('lesson.md'))).toEqual([]);
    expect(m).toContainEqual(expect.stringMatching(/^01-demo\/01-first-step\.md:4: broken link "\.\.\/02-more\/nope\.md".*no such file in 02-more\//));
    expect(m).toContainEqual(expect.stringMatching(/^01-demo\/01-first-step\.md:6: unknown code-block mark "rnu" \(did you mean "run"\?\)/));
    expect(m).toContainEqual(expect.stringMatching(/^01-demo\/01-first-step\.md:10: unknown callout \[!DANGER\]/));
    expect(m).toContainEqual(expect.stringMatching(/^01-demo\/01-first-step\.md:16: choices: needs at least 2 items/));
    expect(m).toContainEqual(expect.stringMatching(/^01-demo\/01-first-step\.md:19: put the language before the mark/));
  });

  it('keeps loading other lessons when one is broken', () => {
    const files = { ...validLesson('01-demo'), ...validLesson('02-more') };
    delete files['02-more/lesson.md'];
    files['oops/lesson.md'] = '---\ntitle: x\n---\n';
    const set = loadLessons(files);
    expect(set.entries.map((e) => [e.slug, e.lesson !== null, e.errors.length])).toEqual([
      ['01-demo', true, 0],
      ['02-more', false, 1],
    ]);
    expect(set.errors[0]?.file).toBe('oops/');
  });

  it('checks prerequisites and files to open against what exists', () => {
    const files = validLesson();
    files['01-demo/lesson.md'] = files['01-demo/lesson.md']!
      .replace('prerequisites: []', 'prerequisites: [07-nothing]')
      .replace('open: [notes.txt]', 'open: [missing.txt]');
    const m = messages(files);
    expect(m).toContainEqual(expect.stringMatching(/^01-demo\/lesson\.md:5: prerequisite "07-nothing" is not a lesson folder/));
    expect(m).toContainEqual(expect.stringMatching(/^01-demo\/lesson\.md:8: environment\.open: "missing\.txt" is not in files\//));
  });
});

describe('environment.memory', () => {
  const withMemory = (value: string) => {
    const files = validLesson();
    files['01-demo/lesson.md'] = files['01-demo/lesson.md']!.replace('  workdir: /root/lab', `  workdir: /root/lab\n  memory: ${value}`);
    return files;
  };

  it('gives the lesson a bigger guest when it asks for one', () => {
    const set = loadLessons(withMemory('512'));
    expect(set.entries[0]?.errors).toEqual([]);
    expect(set.entries[0]?.lesson?.environment.memoryMiB).toBe(512);
  });

  it('refuses sizes the guest cannot have, at the line', () => {
    const line = (m: string[]) => m.find((x) => x.includes('environment.memory'));
    expect(line(messages(withMemory('64')))).toMatch(/^01-demo\/lesson\.md:\d+: environment\.memory: must be at least 128$/);
    expect(line(messages(withMemory('4096')))).toMatch(/environment\.memory: must be at most 1024$/);
    expect(line(messages(withMemory('384.5')))).toMatch(/environment\.memory: expected the guest's memory in MiB \(default 256\), got 384\.5/);
    expect(line(messages(withMemory('512MB')))).toMatch(/environment\.memory: expected the guest's memory in MiB \(default 256\), got "512MB"/);
  });

  it('has the same default as the VM driver', async () => {
    const { DEFAULT_MEMORY_MIB } = await import('../../src/vm/core.ts');
    const { DEFAULT_GUEST_MEMORY_MIB } = await import('../../src/lessons/schema.ts');
    expect(DEFAULT_GUEST_MEMORY_MIB).toBe(DEFAULT_MEMORY_MIB);
  });
});

describe('scaffoldLesson', () => {
  it('numbers a new lesson after the highest one and refuses bad names', () => {
    expect(scaffoldLesson('volumes', ['01-a', '04-b']).slug).toBe('05-volumes');
    expect(() => scaffoldLesson('Bad Name', [])).toThrow(/not a lesson name/);
    expect(() => scaffoldLesson('01-x', ['01-a'])).toThrow(/number 01 is taken/);
  });
});
