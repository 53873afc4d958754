// A hostile lesson renders inert: every piece of lesson markdown the lesson pane shows with
// {@html} (step text, callouts, quiz questions and choices, hints) goes through src/app/sanitize.ts,
// here bundled for and run in headless Chromium, where inline handlers and javascript: URLs would
// otherwise fire. The same markdown through marked alone is the control: it does run script.
import { build } from 'esbuild';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { repoRoot } from '../../scripts/lib/cache.ts';
import { loadLessons, normaliseLessonFiles } from '../../src/lessons/loader.ts';
import { scaffoldLesson } from '../../src/lessons/scaffold.ts';
import type { Block } from '../../src/lessons/types.ts';
import { launchChromium } from './chromium.ts';

const HOSTILE = [
  '<script>window.pwned.push("script")</script>',
  '<img src="x:/nope" onerror="window.pwned.push(\'img onerror\')">',
  '<svg onload="window.pwned.push(\'svg onload\')"><circle r="1"/></svg>',
  '<a id="js-link" href="javascript:window.pwned.push(\'javascript link\')">click me</a>',
  '[a markdown link](javascript:window.pwned.push(3))',
  '<iframe srcdoc="<script>parent.pwned.push(\'iframe\')</script>"></iframe>',
  '<details open ontoggle="window.pwned.push(\'ontoggle\')"><summary>s</summary>x</details>',
  '<form action="javascript:window.pwned.push(\'form\')"><button id="submit">go</button></form>',
].join('\n\n');

/** Every string of lesson markdown a hostile lesson's pages render, as the pane renders them. */
function hostileMarkdown(): { block: string[]; inline: string[] } {
  const { files } = scaffoldLesson('hostile', []);
  files['lesson.md'] += `\n${HOSTILE}\n\n> [!NOTE]\n> ${HOSTILE.split('\n\n').join(' ')}\n`;
  files['01-first-step.md'] = files['01-first-step.md']!
    .replace('hints:\n', `hints:\n  - '<img src=x onerror="window.pwned.push(1)">'\n`)
    .replace('question: Which file did you just create?', 'question: \'<img src=x onerror="window.pwned.push(2)"> which?\'')
    + `\n${HOSTILE}\n`;
  const prefixed = Object.fromEntries(Object.entries(files).map(([p, t]) => [`01-hostile/${p}`, t]));
  const set = loadLessons(normaliseLessonFiles(prefixed));
  const lesson = set.entries[0]?.lesson;
  if (!lesson) throw new Error(`the hostile lesson did not load: ${JSON.stringify(set)}`);
  const block: string[] = [];
  const inline: string[] = [];
  const walk = (blocks: Block[]) => {
    for (const b of blocks) {
      if (b.kind === 'markdown') block.push(b.markdown);
      else if (b.kind === 'callout') block.push(b.callout.markdown);
      else if (b.kind === 'quiz') inline.push(b.quiz.question, ...b.quiz.choices.map((c) => c.text));
    }
  };
  walk(lesson.intro);
  for (const s of lesson.steps) {
    walk(s.blocks);
    inline.push(...s.hints);
  }
  return { block, inline };
}

describe('lesson markdown in the browser', () => {
  let context: BrowserContext;
  let page: Page;
  let bundle = '';
  const md = hostileMarkdown();

  beforeAll(async () => {
    const out = await build({
      stdin: {
        contents: `import { marked } from 'marked'; export { lessonHtml, lessonInlineHtml } from './src/app/sanitize.ts';
          export const rawHtml = (m) => marked.parse(m, { async: false }); export const rawInline = (m) => marked.parseInline(m, { async: false });`,
        resolveDir: repoRoot,
        loader: 'ts',
      },
      bundle: true, format: 'iife', globalName: 'lessonMarkdown', write: false, platform: 'browser',
    });
    bundle = out.outputFiles[0]!.text;
    ({ context } = await launchChromium());
    page = context.pages()[0] ?? (await context.newPage());
  }, 180_000);

  afterAll(async () => {
    await context?.close();
  });

  /** Renders the lesson's markdown into a fresh page the way {@html} does, clicks every link and
   *  button, and returns what ran. */
  async function render(sanitized: boolean): Promise<{ ran: string[]; html: string }> {
    await page.setContent('<!doctype html><body><main id="pane"></main></body>');
    await page.addScriptTag({ content: `window.pwned = []; ${bundle}` });
    const html = await page.evaluate(({ block, inline, sanitized }) => {
      const lm = (window as unknown as { lessonMarkdown: Record<string, (m: string) => string> }).lessonMarkdown;
      const pane = document.getElementById('pane')!;
      const parts = [...block.map((m) => (sanitized ? lm.lessonHtml! : lm.rawHtml!)(m)), ...inline.map((m) => `<p>${(sanitized ? lm.lessonInlineHtml! : lm.rawInline!)(m)}</p>`)];
      pane.innerHTML = parts.join('\n');
      return pane.innerHTML;
    }, { ...md, sanitized });
    // Links opened in a popup or navigating the page would be javascript: URLs running here.
    for (const a of await page.locator('#pane a').all()) await a.click({ modifiers: [], noWaitAfter: true, timeout: 2000 }).catch(() => undefined);
    for (const b of await page.locator('#pane button').all()) await b.click({ timeout: 2000 }).catch(() => undefined);
    await page.waitForTimeout(500); // image errors and toggles fire asynchronously
    const ran = await page.evaluate(() => (window as unknown as { pwned?: string[] }).pwned ?? ['the page navigated away']);
    return { ran: ran.map(String), html };
  }

  it('the control: the same lesson through marked alone runs script in the page', async () => {
    const { ran } = await render(false);
    // (1 is the hint, 2 the quiz question, 3 the markdown link: each path of the pane runs it)
    expect(ran).toEqual(expect.arrayContaining(['img onerror', 'iframe', 'javascript link', 'ontoggle', '1', '2', '3']));
  }, 60_000);

  it('sanitized, nothing runs: no script, no handler, no javascript: URL, no iframe or form', async () => {
    const { ran, html } = await render(true);
    expect(ran).toEqual([]);
    const active = await page.evaluate(() => [...document.querySelectorAll('#pane *')].flatMap((el) => [
      ...(['SCRIPT', 'IFRAME', 'FORM', 'OBJECT', 'EMBED'].includes(el.tagName) ? [el.tagName] : []),
      ...[...el.attributes].filter((a) => /^on/i.test(a.name) || /^\s*javascript:/i.test(a.value)).map((a) => `${el.tagName} ${a.name}=${a.value}`),
    ]));
    expect(active).toEqual([]);
    // the harmless text is still there
    expect(html).toContain('click me');
    expect(html).toContain('a markdown link');
  }, 60_000);
});
