// Builds lessons from their files. Pure: it takes a map of path -> text (from Vite's
// import.meta.glob in the browser, from disk in Node) and never touches a file system, so the app
// can re-run it on every hot update. Each lesson folder is loaded on its own: a broken lesson
// yields its errors and never stops the others from loading.
import { splitFrontMatter } from './frontmatter.ts';
import { parseBody, type LinkRef } from './markdown.ts';
import { DEFAULT_CHECK_TIMEOUT_S, DEFAULT_WORKDIR, lessonSpec, parseYamlWithSchema, stepSpec } from './schema.ts';
import type { CheckMode, Diagnostic, Lesson, LessonEntry, LessonFiles, LessonSet, Script, Step } from './types.ts';

export const LESSON_SLUG = /^\d\d-[a-z0-9]+(?:-[a-z0-9]+)*$/;
const STEP_MD = /^(\d\d)-[a-z0-9]+(?:-[a-z0-9]+)*\.md$/;
const STEP_SCRIPT = /^(\d\d-[a-z0-9]+(?:-[a-z0-9]+)*)\.(check|solve)\.sh$/;
const ASSET = /\.(png|jpe?g|gif|svg|webp)$/i;

/** Normalises keys to "slug/rest" whatever prefix the caller's paths carry (e.g. "/lessons/"). */
export function normaliseLessonFiles(files: Record<string, string>, prefix = ''): LessonFiles {
  const out: LessonFiles = {};
  for (const [path, text] of Object.entries(files)) {
    let p = path.replace(/\\/g, '/');
    if (prefix && p.startsWith(prefix)) p = p.slice(prefix.length);
    p = p.replace(/^\/+/, '');
    out[p] = text;
  }
  return out;
}

/** Loads every lesson folder found in `files`. */
export function loadLessons(files: LessonFiles): LessonSet {
  const bySlug = new Map<string, LessonFiles>();
  const errors: Diagnostic[] = [];
  for (const [path, text] of Object.entries(files)) {
    const slash = path.indexOf('/');
    if (slash < 0) continue; // README.md and other top-level files are not lessons
    const slug = path.slice(0, slash);
    if (slug.startsWith('.') || slug.startsWith('_')) continue;
    let group = bySlug.get(slug);
    if (!group) bySlug.set(slug, (group = {}));
    group[path.slice(slash + 1)] = text;
  }
  const slugs = [...bySlug.keys()].sort();
  const numbers = new Map<string, string>();
  for (const slug of slugs) {
    if (!LESSON_SLUG.test(slug)) {
      errors.push({ file: `${slug}/`, message: `lesson folder names look like "NN-some-name" (two digits, lowercase words joined by -)` });
      continue;
    }
    const nn = slug.slice(0, 2);
    const other = numbers.get(nn);
    if (other) errors.push({ file: `${slug}/`, message: `lesson number ${nn} is also used by ${other}` });
    numbers.set(nn, slug);
  }
  const known = new Set(slugs);
  const paths = new Set(Object.keys(files));
  const entries = slugs.filter((s) => LESSON_SLUG.test(s)).map((slug) => loadLesson(slug, bySlug.get(slug) ?? {}, known, paths));
  return { entries, errors };
}

/**
 * Loads one lesson from its own files (paths relative to the lesson folder).
 * `knownSlugs` and `allPaths` (paths relative to the lessons folder), when given, are used to
 * check prerequisites and links into other lessons.
 */
export function loadLesson(slug: string, files: LessonFiles, knownSlugs?: ReadonlySet<string>, allPaths?: ReadonlySet<string>): LessonEntry {
  const errors: Diagnostic[] = [];
  const at = (name: string) => `${slug}/${name}`;
  const links: { file: string; refs: LinkRef[] }[] = [];

  const lessonText = files['lesson.md'];
  if (lessonText === undefined) {
    errors.push({ file: at('lesson.md'), message: 'missing: every lesson folder needs a lesson.md' });
    return { slug, lesson: null, errors };
  }
  const fm = splitFrontMatter(lessonText);
  if (!fm.hasFrontMatter) errors.push({ file: at('lesson.md'), line: 1, message: 'lesson.md must start with front matter between --- lines' });
  if (fm.unterminated) errors.push({ file: at('lesson.md'), line: 1, message: 'front matter is never closed with a --- line' });
  const meta = fm.hasFrontMatter && !fm.unterminated ? parseYamlWithSchema(fm.yaml, at('lesson.md'), fm.yamlLine, lessonSpec) : null;
  if (meta) errors.push(...meta.errors);
  const intro = parseBody(fm.body, at('lesson.md'), fm.bodyLine);
  errors.push(...intro.errors);
  links.push({ file: 'lesson.md', refs: intro.links });

  const value = (meta?.value ?? null) as {
    title?: string;
    summary?: string;
    minutes?: number;
    prerequisites?: string[];
    environment?: { workdir?: string; open?: string[]; images?: string[]; setup?: string; memory?: number };
  } | null;

  // Sort the folder's files into their roles; anything else is probably a typo.
  const stepFiles: string[] = [];
  const scripts = new Map<string, { check?: string; solve?: string }>();
  const startFiles: Record<string, string> = {};
  const solution: Record<string, string> = {};
  const setupName = value?.environment?.setup;
  for (const name of Object.keys(files).sort()) {
    if (name.startsWith('files/')) startFiles[name.slice(6)] = files[name] ?? '';
    else if (name.startsWith('solution/')) solution[name.slice(9)] = files[name] ?? '';
    else if (name === 'lesson.md' || name === setupName || ASSET.test(name)) continue;
    else if (STEP_MD.test(name)) stepFiles.push(name);
    else if (STEP_SCRIPT.test(name)) {
      const [, id = '', kind] = STEP_SCRIPT.exec(name) ?? [];
      const s = scripts.get(id) ?? {};
      if (kind === 'check') s.check = name;
      else s.solve = name;
      scripts.set(id, s);
    } else if (!name.includes('/'))
      errors.push({
        file: at(name),
        message: name.endsWith('.sh')
          ? 'script matches no step: name it NN-step.check.sh or NN-step.solve.sh after a step NN-step.md (or make it environment.setup)'
          : 'not part of the lesson format (lesson.md, NN-step.md, NN-step.check.sh, NN-step.solve.sh, files/, solution/, images)',
      });
    else errors.push({ file: at(name), message: 'subfolders other than files/ and solution/ are not part of the lesson format' });
  }

  let setup: Script | null = null;
  if (setupName) {
    const text = files[setupName];
    if (text === undefined)
      errors.push({ file: at('lesson.md'), line: lineOfKey(lessonText, 'setup'), message: `environment.setup names ${setupName}, which is not in the lesson folder` });
    else setup = { file: at(setupName), text };
  }

  const steps: Step[] = [];
  const stepNumbers = new Map<string, string>();
  for (const name of stepFiles) {
    const id = name.slice(0, -3);
    const nn = name.slice(0, 2);
    const dup = stepNumbers.get(nn);
    if (dup) errors.push({ file: at(name), line: 1, message: `step number ${nn} is also used by ${dup}` });
    stepNumbers.set(nn, name);
    const step = loadStep(slug, id, files[name] ?? '', steps.length + 1, errors, links);
    const s = scripts.get(id);
    scripts.delete(id);
    for (const kind of ['check', 'solve'] as const) {
      const scriptName = s?.[kind];
      if (!scriptName) {
        errors.push({ file: at(name), line: 1, message: `missing ${id}.${kind}.sh beside this step (${kind === 'check' ? 'exit 0 when the step is done' : 'what "Show me" runs'})` });
        continue;
      }
      const text = files[scriptName] ?? '';
      if (text.trim() === '') errors.push({ file: at(scriptName), line: 1, message: 'script is empty' });
      if (text.includes('\r')) errors.push({ file: at(scriptName), line: 1, message: 'script has Windows line endings; the guest shell needs \\n only' });
      if (step) step[kind === 'check' ? 'checkScript' : 'solveScript'] = { file: at(scriptName), text };
    }
    if (step) steps.push(step);
  }
  for (const [id, s] of scripts)
    for (const f of [s.check, s.solve])
      if (f) errors.push({ file: at(f), line: 1, message: `no step ${id}.md for this script` });
  if (stepFiles.length === 0) errors.push({ file: at('lesson.md'), line: 1, message: 'the lesson has no steps (NN-name.md files beside lesson.md)' });

  // Cross-file checks: prerequisites, files to open, links.
  for (const p of value?.prerequisites ?? []) {
    if (p === slug) errors.push({ file: at('lesson.md'), line: lineOfValue(lessonText, p), message: 'a lesson cannot be its own prerequisite' });
    else if (knownSlugs && !knownSlugs.has(p))
      errors.push({ file: at('lesson.md'), line: lineOfValue(lessonText, p), message: `prerequisite "${p}" is not a lesson folder` });
  }
  for (const o of value?.environment?.open ?? [])
    if (!(o in startFiles))
      errors.push({ file: at('lesson.md'), line: lineOfValue(lessonText, o), message: `environment.open: "${o}" is not in files/` });
  for (const { file, refs } of links)
    for (const ref of refs) {
      const problem = brokenLink(slug, file, ref.target, files, knownSlugs, allPaths);
      if (problem) errors.push({ file: at(file), line: ref.line, message: problem });
    }

  if (!value || !value.title || !value.summary || value.minutes === undefined) return { slug, lesson: null, errors };
  const lesson: Lesson = {
    slug,
    number: Number(slug.slice(0, 2)),
    title: value.title,
    summary: value.summary,
    minutes: value.minutes,
    prerequisites: value.prerequisites ?? [],
    environment: {
      workdir: value.environment?.workdir ?? DEFAULT_WORKDIR,
      open: value.environment?.open ?? [],
      images: value.environment?.images ?? [],
      setup,
      memoryMiB: value.environment?.memory ?? null,
    },
    intro: intro.blocks,
    introMarkdown: fm.body.trim(),
    steps,
    files: startFiles,
    solution,
  };
  return { slug, lesson, errors };
}

function loadStep(
  slug: string,
  id: string,
  text: string,
  index: number,
  errors: Diagnostic[],
  links: { file: string; refs: LinkRef[] }[],
): Step | null {
  const file = `${slug}/${id}.md`;
  const fm = splitFrontMatter(text);
  if (!fm.hasFrontMatter) {
    errors.push({ file, line: 1, message: 'a step must start with front matter between --- lines (at least a title)' });
    return null;
  }
  if (fm.unterminated) {
    errors.push({ file, line: 1, message: 'front matter is never closed with a --- line' });
    return null;
  }
  const meta = parseYamlWithSchema(fm.yaml, file, fm.yamlLine, stepSpec);
  errors.push(...meta.errors);
  const body = parseBody(fm.body, file, fm.bodyLine);
  errors.push(...body.errors);
  links.push({ file: `${id}.md`, refs: body.links });
  const v = (meta.value ?? {}) as { title?: string; hints?: string[]; check?: CheckMode; timeout?: number };
  if (!v.title) return null;
  if (!body.blocks.some((b) => b.kind === 'code' && b.mark !== null && b.mark !== 'copy'))
    errors.push({ file, line: fm.bodyLine, message: 'a step needs something to do: at least one ```sh run (or run-interrupt, type) code block' });
  return {
    id,
    index,
    title: v.title,
    hints: v.hints ?? [],
    check: v.check ?? 'button',
    checkTimeoutMs: (v.timeout ?? DEFAULT_CHECK_TIMEOUT_S) * 1000,
    markdown: fm.body.trim(),
    blocks: body.blocks,
    checkScript: { file: `${slug}/${id}.check.sh`, text: '' },
    solveScript: { file: `${slug}/${id}.solve.sh`, text: '' },
    file,
  };
}

function brokenLink(
  slug: string,
  fromFile: string,
  target: string,
  files: LessonFiles,
  knownSlugs: ReadonlySet<string> | undefined,
  allPaths: ReadonlySet<string> | undefined,
): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) return null; // http:, mailto:, anchors
  const path = target.split('#')[0] ?? '';
  if (path.startsWith('/')) return `link "${target}": use a path relative to this file`;
  // Resolve against the lesson folder (files here sit at its top level).
  const parts = [slug, ...path.split('/')];
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (out.length === 0) return `link "${target}" leaves the lessons folder`;
      out.pop();
    } else out.push(p);
  }
  if (out.length === 0) return null; // the lessons index
  const [lessonSlug, ...rest] = out;
  if (lessonSlug !== slug) {
    if (!knownSlugs) return null;
    if (!knownSlugs.has(lessonSlug ?? '')) return `link "${target}": no lesson folder "${lessonSlug}"`;
    const full = out.join('/');
    if (!allPaths || rest.length === 0 || allPaths.has(full) || [...allPaths].some((p) => p.startsWith(`${full}/`))) return null;
    return `broken link "${target}" (from ${fromFile}): no such file in ${lessonSlug}/`;
  }
  const inner = rest.join('/');
  if (inner === '' || inner in files || Object.keys(files).some((f) => f.startsWith(`${inner}/`))) return null;
  return `broken link "${target}" (from ${fromFile}): no such file in ${slug}/`;
}

/** Best-effort line of a YAML key in a file, for errors found after parsing. */
function lineOfKey(text: string, key: string): number {
  const i = text.split('\n').findIndex((l) => new RegExp(`^\\s*${key}\\s*:`).test(l));
  return i < 0 ? 1 : i + 1;
}

function lineOfValue(text: string, value: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(value));
  return i < 0 ? 1 : i + 1;
}
