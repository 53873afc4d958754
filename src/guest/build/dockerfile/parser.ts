// Stage 1 of reading a Dockerfile: text -> nodes, one per instruction, as Docker's parser does it.
// Parser directives at the top (# syntax, # escape, # check), comments, the escape character at a
// line's end continuing it (comment and empty lines inside a continuation are skipped), heredocs
// after RUN, COPY and ADD, and each instruction's argument shape: exec (JSON) or shell form,
// name=value pairs, whitespace-separated words. Nothing is expanded or checked for meaning here:
// that is instructions.ts.

import { DockerfileError } from './errors.ts';
import { ShellLex } from './shell.ts';
import { extractFlags, parseWords, splitWhitespace } from './words.ts';

export interface Heredoc {
  /** The terminator word, e.g. EOF. */
  name: string;
  /** The lines between the marker and the terminator, each ending in \n. */
  content: string;
  /** False when the marker was quoted (<<"EOF"): no variables are expanded in the content. */
  expand: boolean;
  /** <<-EOF: leading tabs were removed. */
  chomp: boolean;
}

export interface Node {
  /** The instruction keyword in lower case ("run"). */
  cmd: string;
  /** The keyword as written ("Run"). */
  keyword: string;
  /** The instruction as one line, continuations joined. */
  original: string;
  /** "--name=value" words before the arguments, without "--" ... they keep it: "--from=x". */
  flags: string[];
  /**
   * Arguments: the JSON array's strings (json true); for shell-form RUN/CMD/ENTRYPOINT/SHELL one
   * string, the rest of the line; for ENV and LABEL key, value, key, value...; for HEALTHCHECK the
   * type ("CMD" or "NONE") then the command as for CMD.
   */
  args: string[];
  json: boolean;
  heredocs: Heredoc[];
  /** ONBUILD's instruction. */
  child: Node | null;
  /** ENV written as "ENV name value" (no "="). */
  legacyKeyValue: boolean;
  startLine: number;
  endLine: number;
  /** Comment lines right above the instruction. */
  comments: string[];
}

export interface Directives {
  syntax?: string;
  escape: string;
  check?: string;
}

export interface ParsedDockerfile {
  nodes: Node[];
  directives: Directives;
  warnings: { message: string; line: number }[];
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check']);
const HEREDOC_CMDS = new Set(['run', 'copy', 'add']);
const HEREDOC_WORD = /^(\d*)<<(-?)([^<]*)$/;

const trimLeft = (s: string): string => s.replace(/^[ \t\v\f\r\n]+/, '');
const isComment = (line: string): boolean => trimLeft(line).startsWith('#');

export function parseDockerfile(text: string): ParsedDockerfile {
  const raw = text.replace(/^\uFEFF/, '').split('\n');
  // a final newline does not start one more line
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();
  const lines = raw.map((l) => l.replace(/\r$/, ''));

  const directives: Directives = { escape: '\\' };
  const seen = new Set<string>();
  let i = 0;
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]!);
    if (!m) break;
    const key = m[1]!.toLowerCase();
    if (!KNOWN_DIRECTIVES.has(key)) break;
    if (seen.has(key)) throw new DockerfileError(`only one ${key} parser directive can be used`, { start: i + 1, end: i + 1 });
    seen.add(key);
    const value = m[2]!;
    if (key === 'escape') {
      if (value !== '`' && value !== '\\') throw new DockerfileError(`invalid escape token '${value}' does not match \` or \\`, { start: i + 1, end: i + 1 });
      directives.escape = value;
    } else if (key === 'syntax') directives.syntax = value;
    else directives.check = value;
  }

  const esc = directives.escape;
  const continuation = new RegExp(`${esc === '\\' ? '\\\\' : '`'}[ \\t]*$`);
  const nodes: Node[] = [];
  const warnings: { message: string; line: number }[] = [];
  let comments: string[] = [];
  // directives are comments too; the loop below skips them as such
  i = 0;
  while (i < lines.length) {
    const first = lines[i]!;
    i++;
    const startLine = i;
    if (isComment(first)) {
      const c = trimLeft(first).slice(1).trim();
      comments = c === '' ? [] : [...comments, c];
      continue;
    }
    let line = trimLeft(first);
    let ended = !continuation.test(line);
    if (!ended) line = line.replace(continuation, '');
    if (ended && line.trim() === '') {
      comments = [];
      continue;
    }
    let emptyContinuation = false;
    while (!ended && i < lines.length) {
      const next = lines[i]!;
      i++;
      if (isComment(next)) continue;
      if (trimLeft(next) === '') {
        emptyContinuation = true;
        continue;
      }
      ended = !continuation.test(next);
      line += ended ? next : next.replace(continuation, '');
    }
    if (emptyContinuation) warnings.push({ message: `Empty continuation line found in: ${line}`, line: startLine });
    const node = nodeFromLine(line, esc, { start: startLine, end: i });
    node.comments = comments;
    comments = [];
    if (HEREDOC_CMDS.has(node.cmd) && line.includes('<<')) {
      for (const doc of heredocMarkers(line, esc)) {
        let content = '';
        let done = false;
        while (i < lines.length) {
          const l = lines[i]!;
          i++;
          const candidate = doc.chomp ? l.replace(/^\t+/, '') : l;
          if (candidate === doc.name) {
            done = true;
            break;
          }
          content += `${candidate}\n`;
        }
        if (!done) throw new DockerfileError('unterminated heredoc', { start: startLine, end: i });
        node.heredocs.push({ ...doc, content });
      }
    }
    node.endLine = i;
    nodes.push(node);
  }
  return { nodes, directives, warnings };
}

/** The <<WORD markers of a line, in order, as a shell would find them. */
export function heredocMarkers(line: string, escape: string): Omit<Heredoc, 'content'>[] {
  const raw = new ShellLex({ escape, rawQuotes: true, rawEscapes: true });
  const plain = new ShellLex({ escape });
  let words: string[];
  try {
    words = raw.processWords(line, new Map());
  } catch {
    return [];
  }
  const out: Omit<Heredoc, 'content'>[] = [];
  for (const w of words) {
    const m = HEREDOC_WORD.exec(w);
    if (!m || m[3] === '') continue;
    const rest = m[3]!;
    let name: string;
    try {
      name = plain.processWord(rest, new Map());
    } catch {
      continue;
    }
    if (name === '') continue;
    out.push({ name, expand: name === rest, chomp: m[2] === '-' });
  }
  return out;
}

function emptyNode(keyword: string, original: string, flags: string[], range: { start: number; end: number }): Node {
  return {
    cmd: keyword.toLowerCase(),
    keyword,
    original,
    flags,
    args: [],
    json: false,
    heredocs: [],
    child: null,
    legacyKeyValue: false,
    startLine: range.start,
    endLine: range.end,
    comments: [],
  };
}

function nodeFromLine(line: string, esc: string, range: { start: number; end: number }): Node {
  const trimmed = line.trim();
  const sp = trimmed.search(/[\t\v\f\r ]/);
  const keyword = sp < 0 ? trimmed : trimmed.slice(0, sp);
  const after = sp < 0 ? '' : trimmed.slice(sp + 1);
  const { rest, flags } = sp < 0 ? { rest: '', flags: [] } : extractFlags(after);
  const node = emptyNode(keyword, line, flags, range);
  const at = (msg: string): DockerfileError => new DockerfileError(msg, range);
  switch (node.cmd) {
    case 'run':
    case 'cmd':
    case 'entrypoint':
    case 'shell':
      maybeJson(node, rest, at);
      break;
    case 'add':
    case 'copy':
    case 'volume':
      if (!maybeJson(node, rest, at, true)) node.args = splitWhitespace(rest);
      break;
    case 'from':
    case 'expose':
      node.args = splitWhitespace(rest);
      break;
    case 'env':
    case 'label':
      nameValues(node, rest, esc, at);
      break;
    case 'arg':
      node.args = parseWords(rest, esc);
      break;
    case 'onbuild':
      if (rest !== '') node.child = nodeFromLine(rest, esc, range);
      break;
    case 'healthcheck': {
      const m = /^(\S+)\s*([\s\S]*)$/.exec(rest);
      if (m) {
        const cmd = emptyNode('', '', [], range);
        maybeJson(cmd, m[2]!, at);
        node.args = [m[1]!, ...cmd.args];
        node.json = cmd.json;
      }
      break;
    }
    default:
      // user, workdir, stopsignal, maintainer, and unknown words (reported later)
      if (rest !== '') node.args = [rest];
  }
  return node;
}

/**
 * Exec form when the arguments are a JSON array of strings; shell form (one string) when they
 * are not JSON at all. A JSON array of something else is an error, as in Docker.
 */
function maybeJson(node: Node, rest: string, at: (m: string) => DockerfileError, list = false): boolean {
  if (rest === '') return true;
  if (rest.startsWith('[')) {
    let v: unknown;
    try {
      v = JSON.parse(rest);
    } catch {
      v = undefined;
    }
    if (Array.isArray(v)) {
      if (!v.every((x) => typeof x === 'string')) throw at('when using JSON array syntax, arrays must be comprised of strings only');
      node.args = v as string[];
      node.json = true;
      return true;
    }
  }
  if (list) return false;
  node.args = [rest];
  return true;
}

function nameValues(node: Node, rest: string, esc: string, at: (m: string) => DockerfileError): void {
  const words = parseWords(rest, esc);
  if (words.length === 0) return;
  const name = node.cmd.toUpperCase();
  if (!words[0]!.includes('=')) {
    // the old "ENV name value" form: the value is the rest of the line
    const m = /^(\S+)[\t\v\f\r ]+([\s\S]*)$/.exec(rest.trim());
    if (!m) throw at(`${name} must have two arguments`);
    node.args = [m[1]!, m[2]!];
    node.legacyKeyValue = true;
    return;
  }
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq < 0) throw at(`Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    node.args.push(w.slice(0, eq), w.slice(eq + 1));
  }
}
