// Splits a lesson body into blocks: plain markdown (rendered by the app with `marked`), fenced
// code blocks with their terminal mark, ```quiz blocks, ```inspect VIEW blocks (a live inspector
// view) and `> [!NOTE]` callouts. It also
// collects the links it sees so the loader can report the broken ones.
import { closest, parseYamlWithSchema, quizSpec } from './schema.ts';
import { CALLOUT_KINDS, CODE_MARKS, INSPECT_VIEWS, INSPECT_VIEW_ALIASES, type Block, type CalloutKind, type CodeMark, type Diagnostic, type InspectView, type Quiz } from './types.ts';

export interface LinkRef {
  target: string;
  line: number;
}

export interface ParsedBody {
  blocks: Block[];
  links: LinkRef[];
  errors: Diagnostic[];
}

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const CALLOUT = /^ {0,3}>\s*\[!(\w+)\]\s*(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;

/** Parses a markdown body whose first line is line `firstLine` of `file`. */
export function parseBody(body: string, file: string, firstLine: number): ParsedBody {
  const lines = body.split(/\r?\n/);
  const blocks: Block[] = [];
  const links: LinkRef[] = [];
  const errors: Diagnostic[] = [];
  let prose: string[] = [];
  let proseLine = firstLine;

  const flushProse = () => {
    const text = prose.join('\n').trim();
    if (text) {
      blocks.push({ kind: 'markdown', line: proseLine, markdown: text });
      collectLinks(prose, proseLine, links);
    }
    prose = [];
  };

  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const lineNo = firstLine + i;
    const fence = FENCE.exec(line);
    if (fence) {
      flushProse();
      const marker = fence[1] ?? '```';
      const info = (fence[2] ?? '').trim();
      const closeRe = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
      const start = i;
      const content: string[] = [];
      i++;
      while (i < lines.length && !closeRe.test(lines[i] ?? '')) content.push(lines[i++] ?? '');
      if (i >= lines.length) errors.push({ file, line: lineNo, message: `code block opened here is never closed with ${marker}` });
      i++;
      const code = content.join('\n');
      const block = codeBlock(info, code, file, lineNo, firstLine + start + 1, errors);
      if (block) blocks.push(block);
      proseLine = firstLine + i;
      continue;
    }
    const callout = CALLOUT.exec(line);
    if (callout) {
      flushProse();
      const kindWord = (callout[1] ?? '').toLowerCase();
      const inner: string[] = [];
      i++;
      while (i < lines.length && QUOTE.test(lines[i] ?? '')) inner.push(QUOTE.exec(lines[i++] ?? '')?.[1] ?? '');
      if (!(CALLOUT_KINDS as readonly string[]).includes(kindWord)) {
        const guess = closest(kindWord, CALLOUT_KINDS);
        errors.push({
          file,
          line: lineNo,
          message: `unknown callout [!${callout[1]}]${guess ? ` (did you mean [!${guess.toUpperCase()}]?)` : ''}; use one of ${CALLOUT_KINDS.map((k) => `[!${k.toUpperCase()}]`).join(', ')}`,
        });
      } else {
        const title = (callout[2] ?? '').trim();
        blocks.push({
          kind: 'callout',
          line: lineNo,
          callout: { kind: kindWord as CalloutKind, ...(title ? { title } : {}), markdown: inner.join('\n').trim() },
        });
        collectLinks(inner, lineNo + 1, links);
      }
      proseLine = firstLine + i;
      continue;
    }
    if (prose.length === 0) proseLine = lineNo;
    prose.push(line);
    i++;
  }
  flushProse();
  return { blocks, links, errors };
}

function codeBlock(info: string, code: string, file: string, line: number, contentLine: number, errors: Diagnostic[]): Block | null {
  const words = info.split(/\s+/).filter(Boolean);
  const lang = words[0] ?? '';
  if (lang === 'quiz') return quizBlock(code, file, line, contentLine, errors);
  if (lang === 'inspect') return inspectBlock(words.slice(1), code, file, line, errors);
  if ((CODE_MARKS as readonly string[]).includes(lang)) {
    errors.push({ file, line, message: `put the language before the mark: \`\`\`sh ${lang}` });
    return null;
  }
  const marks = words.slice(1);
  let mark: CodeMark | null = null;
  for (const m of marks) {
    if ((CODE_MARKS as readonly string[]).includes(m)) {
      if (mark) errors.push({ file, line, message: `a code block takes one mark; found "${mark}" and "${m}"` });
      else mark = m as CodeMark;
    } else {
      const guess = closest(m, CODE_MARKS);
      errors.push({
        file,
        line,
        message: `unknown code-block mark "${m}"${guess ? ` (did you mean "${guess}"?)` : ''}; marks are ${CODE_MARKS.join(', ')}`,
      });
    }
  }
  if (mark && mark !== 'copy' && code.trim() === '') errors.push({ file, line, message: `a "${mark}" code block is empty` });
  return { kind: 'code', line, lang, mark, code };
}

/** ```inspect VIEW: one view name; the block's text (optional) is its caption. */
function inspectBlock(words: string[], code: string, file: string, line: number, errors: Diagnostic[]): Block | null {
  const names = [...INSPECT_VIEWS, ...Object.keys(INSPECT_VIEW_ALIASES)];
  const list = names.join(', ');
  if (words.length === 0) {
    errors.push({ file, line, message: `an inspect block names a view: \`\`\`inspect VIEW, with VIEW one of ${list}` });
    return null;
  }
  if (words.length > 1) {
    errors.push({ file, line, message: `an inspect block shows one view; found "${words.join(' ')}"` });
    return null;
  }
  const name = words[0]!;
  const view: InspectView | undefined = INSPECT_VIEW_ALIASES[name] ?? (INSPECT_VIEWS as readonly string[]).find((v) => v === name) as InspectView | undefined;
  if (!view) {
    const guess = closest(name, names);
    errors.push({ file, line, message: `unknown inspector view "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}; views are ${list}` });
    return null;
  }
  return { kind: 'inspect', line, view, caption: code.trim() };
}

function quizBlock(text: string, file: string, line: number, contentLine: number, errors: Diagnostic[]): Block | null {
  const parsed = parseYamlWithSchema(text, file, contentLine, quizSpec);
  errors.push(...parsed.errors);
  if (!parsed.value || parsed.errors.length > 0) return null;
  const value = parsed.value as { question: string; choices: { text: string; correct?: boolean; explain?: string }[] };
  const choices = value.choices.map((c) => ({ text: c.text, correct: c.correct === true, ...(c.explain ? { explain: c.explain } : {}) }));
  const right = choices.filter((c) => c.correct).length;
  if (right === 0) {
    errors.push({ file, line, message: 'quiz has no choice marked "correct: true"' });
    return null;
  }
  const quiz: Quiz = { question: value.question, choices, multiple: right > 1 };
  return { kind: 'quiz', line, quiz };
}

// Inline links and images, skipping `code spans`. Good enough for the links authors write.
const LINK = /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;

function collectLinks(lines: string[], firstLine: number, out: LinkRef[]): void {
  lines.forEach((l, i) => {
    const text = l.replace(/`[^`]*`/g, '');
    for (const m of text.matchAll(LINK)) if (m[1]) out.push({ target: m[1], line: firstLine + i });
  });
}
