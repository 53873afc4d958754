// `lesson new`: the files of a new lesson, already valid for `lesson check` and `lesson test`,
// for the author to rewrite.
import { LESSON_SLUG } from './loader.ts';

export interface Scaffold {
  slug: string;
  /** Path relative to the new lesson folder -> content. */
  files: Record<string, string>;
}

/**
 * Names the folder: "NN-name" as given, or "name" numbered after the highest existing lesson.
 * Throws with a clear message on a name the format does not accept.
 */
export function scaffoldLesson(name: string, existingSlugs: readonly string[]): Scaffold {
  const numbered = /^\d\d-/.test(name);
  const highest = Math.max(0, ...existingSlugs.filter((s) => LESSON_SLUG.test(s)).map((s) => Number(s.slice(0, 2))));
  const slug = numbered ? name : `${String(highest + 1).padStart(2, '0')}-${name}`;
  if (!LESSON_SLUG.test(slug))
    throw new Error(`"${name}" is not a lesson name: use lowercase words joined by "-", like "volumes" or "07-volumes"`);
  if (existingSlugs.includes(slug)) throw new Error(`lessons/${slug} already exists`);
  const nn = slug.slice(0, 2);
  if (existingSlugs.some((s) => s.startsWith(`${nn}-`))) throw new Error(`lesson number ${nn} is taken; pick another`);
  if (Number(nn) > 99 || highest >= 99) throw new Error('lesson numbers stop at 99');
  const title = slug.slice(3).split('-').map((w, i) => (i === 0 ? w[0]?.toUpperCase() + w.slice(1) : w)).join(' ');
  return {
    slug,
    files: {
      'lesson.md': `---
title: ${title}
summary: One sentence that tells the learner what they will be able to do afterwards.
minutes: 15
prerequisites: []
environment:
  workdir: /root/lab
  open: [notes.txt]
---

Say why this matters and what the learner will build, in a few short paragraphs.

> [!TIP]
> Callouts are block quotes starting with [!NOTE], [!TIP], [!IMPORTANT], [!WARNING] or [!CAUTION].
`,
      '01-first-step.md': `---
title: A first step
hints:
  - The file must be called done.txt and sit in the working folder.
check: auto
---

Explain the idea, then give the learner something to do:

\`\`\`sh run
touch done.txt
\`\`\`

\`\`\`quiz
question: Which file did you just create?
choices:
  - text: done.txt
    correct: true
    explain: Right, in /root/lab.
  - text: notes.txt
    explain: That one came with the lesson's start files.
\`\`\`
`,
      '01-first-step.check.sh': `# Runs in the guest, in the working folder. Exit 0 when the step is done.
# Lines starting with FAIL: or HINT: are shown to the learner.
if [ ! -f done.txt ]; then
  echo "FAIL: there is no done.txt in $(pwd) yet"
  echo "HINT: press Run on the code block"
  exit 1
fi
`,
      '01-first-step.solve.sh': `# What "Show me" runs.
touch done.txt
`,
      'files/notes.txt': 'Start files are copied into the working folder when the lesson starts.\n',
      'solution/done.txt': '',
    },
  };
}
