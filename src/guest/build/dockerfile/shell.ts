// Variable substitution as Dockerfiles do it (not a shell): $VAR, ${VAR}, ${VAR:-word},
// ${VAR-word}, ${VAR:+word}, ${VAR+word}, ${VAR:?msg}, ${VAR?msg}, plus #, ##, %, %% and / on
// patterns; single quotes are literal, double quotes keep $ live, the escape character takes the
// next character. ENV, LABEL, ARG, COPY, ADD, EXPOSE, USER, WORKDIR, VOLUME, STOPSIGNAL and FROM
// words go through it; RUN, CMD and ENTRYPOINT are left to the container's shell.

export type Env = ReadonlyMap<string, string>;

export class ExpandError extends Error {
  override name = 'ExpandError';
}

interface Options {
  escape: string;
  /** Keep quote characters in the output (used to find heredoc markers). */
  rawQuotes?: boolean;
  /** Keep escape characters in the output. */
  rawEscapes?: boolean;
}

class Scanner {
  pos = 0;
  constructor(readonly s: string) {}
  peek(): string {
    return this.pos < this.s.length ? this.s[this.pos]! : '';
  }
  next(): string {
    return this.pos < this.s.length ? this.s[this.pos++]! : '';
  }
  eof(): boolean {
    return this.pos >= this.s.length;
  }
}

const isNameStart = (c: string): boolean => /^[A-Za-z_]$/.test(c);
const isNameChar = (c: string): boolean => /^[A-Za-z0-9_]$/.test(c);

export class ShellLex {
  constructor(private opts: Options) {}

  /** Expands one word (quotes removed, no splitting). */
  processWord(word: string, env: Env): string {
    return this.process(word, env, false).word;
  }

  /** Expands and splits at unquoted whitespace. */
  processWords(text: string, env: Env): string[] {
    return this.process(text, env, true).words;
  }

  /** Expands one word and reports the names it read that had no value. */
  processWordWithUnmatched(word: string, env: Env): { word: string; unmatched: Set<string> } {
    const r = this.process(word, env, false);
    return { word: r.word, unmatched: r.unmatched };
  }

  private process(text: string, env: Env, split: boolean): { word: string; words: string[]; unmatched: Set<string> } {
    const sc = new Scanner(text);
    const unmatched = new Set<string>();
    const words: string[] = [];
    let word = '';
    let started = false;
    const flush = (): void => {
      if (started || word !== '') words.push(word);
      word = '';
      started = false;
    };
    const esc = this.opts.escape;
    while (!sc.eof()) {
      const ch = sc.peek();
      if (split && /\s/.test(ch)) {
        sc.next();
        flush();
        continue;
      }
      if (ch === "'") {
        started = true;
        word += this.single(sc);
      } else if (ch === '"') {
        started = true;
        word += this.double(sc, env, unmatched);
      } else if (ch === '$') {
        word += this.dollar(sc, env, unmatched);
      } else if (ch === esc) {
        sc.next();
        if (sc.eof()) break; // a trailing escape character is dropped
        if (this.opts.rawEscapes) word += esc;
        word += sc.next();
      } else word += sc.next();
    }
    flush();
    return { word: words.join(' '), words, unmatched };
  }

  private single(sc: Scanner): string {
    sc.next();
    let out = this.opts.rawQuotes ? "'" : '';
    for (;;) {
      if (sc.eof()) throw new ExpandError('unexpected end of statement while looking for matching single-quote');
      const ch = sc.next();
      if (ch === "'") break;
      out += ch;
    }
    return this.opts.rawQuotes ? `${out}'` : out;
  }

  private double(sc: Scanner, env: Env, unmatched: Set<string>): string {
    sc.next();
    let out = this.opts.rawQuotes ? '"' : '';
    const esc = this.opts.escape;
    for (;;) {
      if (sc.eof()) throw new ExpandError('unexpected end of statement while looking for matching double-quote');
      const ch = sc.peek();
      if (ch === '"') {
        sc.next();
        break;
      }
      if (ch === '$') {
        out += this.dollar(sc, env, unmatched);
        continue;
      }
      sc.next();
      if (ch === esc) {
        const n = sc.peek();
        if (n === '') continue;
        // only ", $ and the escape character itself can be escaped inside double quotes
        if (n === '"' || n === '$' || n === esc) {
          if (this.opts.rawEscapes) out += esc;
          out += sc.next();
          continue;
        }
      }
      out += ch;
    }
    return this.opts.rawQuotes ? `${out}"` : out;
  }

  private dollar(sc: Scanner, env: Env, unmatched: Set<string>): string {
    sc.next(); // $
    if (sc.peek() !== '{') {
      const name = this.name(sc);
      if (name === '') return '$';
      const v = env.get(name);
      if (v === undefined) unmatched.add(name);
      return v ?? '';
    }
    sc.next(); // {
    const name = this.name(sc);
    if (name === '') throw new ExpandError(`bad substitution`);
    const get = (): string | undefined => {
      const v = env.get(name);
      if (v === undefined) unmatched.add(name);
      return v;
    };
    let ch = sc.peek();
    if (ch === '}') {
      sc.next();
      return get() ?? '';
    }
    if (ch === ':') {
      sc.next();
      const mod = sc.next();
      const word = this.untilBrace(sc, env, unmatched);
      const v = get();
      switch (mod) {
        case '-':
          return v === undefined || v === '' ? word : v;
        case '+':
          return v === undefined || v === '' ? '' : word;
        case '?':
          if (v === undefined || v === '') throw new ExpandError(`${name}: ${word || 'is not allowed to be unset'}`);
          return v;
        default:
          throw new ExpandError(`unsupported modifier (${mod}) in substitution`);
      }
    }
    ch = sc.next();
    if (ch === '-' || ch === '+' || ch === '?') {
      const word = this.untilBrace(sc, env, unmatched);
      const v = get();
      if (ch === '-') return v === undefined ? word : v;
      if (ch === '+') return v === undefined ? '' : word;
      if (v === undefined) throw new ExpandError(`${name}: ${word || 'is not allowed to be unset'}`);
      return v;
    }
    if (ch === '#' || ch === '%') {
      const longest = sc.peek() === ch;
      if (longest) sc.next();
      const pattern = this.untilBrace(sc, env, unmatched);
      const v = get() ?? '';
      return ch === '#' ? trimPrefix(v, pattern, longest) : trimSuffix(v, pattern, longest);
    }
    if (ch === '/') {
      const all = sc.peek() === '/';
      if (all) sc.next();
      const pattern = this.untilChar(sc, env, unmatched, '/');
      const replacement = this.untilBrace(sc, env, unmatched);
      const v = get() ?? '';
      return replace(v, pattern, replacement, all);
    }
    if (ch === '') throw new ExpandError(`syntax error: missing '}'`);
    throw new ExpandError(`unsupported modifier (${ch}) in substitution`);
  }

  /** The word after a modifier, expanded, up to the closing brace. */
  private untilBrace(sc: Scanner, env: Env, unmatched: Set<string>): string {
    return this.untilChar(sc, env, unmatched, '}');
  }

  private untilChar(sc: Scanner, env: Env, unmatched: Set<string>, end: string): string {
    let out = '';
    const esc = this.opts.escape;
    for (;;) {
      if (sc.eof()) throw new ExpandError(`syntax error: missing '}'`);
      const ch = sc.peek();
      if (ch === end) {
        sc.next();
        return out;
      }
      if (end === '/' && ch === '}') return out; // ${a/b} without a replacement
      if (ch === '$') out += this.dollar(sc, env, unmatched);
      else if (ch === "'") out += this.single(sc);
      else if (ch === '"') out += this.double(sc, env, unmatched);
      else if (ch === esc) {
        sc.next();
        out += sc.next();
      } else out += sc.next();
    }
  }

  private name(sc: Scanner): string {
    let out = '';
    const first = sc.peek();
    if (/^[0-9]$/.test(first)) {
      while (/^[0-9]$/.test(sc.peek())) out += sc.next();
      return out;
    }
    if (!isNameStart(first)) return '';
    while (isNameChar(sc.peek())) out += sc.next();
    return out;
  }
}

/** A shell glob (*, ?, [...]) as a regular expression source, anchored by the caller. */
function globSource(pattern: string, greedy: boolean): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') out += greedy ? '.*' : '.*?';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) out += '\\[';
      else {
        out += `[${pattern.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else if (c === '\\' && i + 1 < pattern.length) out += escapeRe(pattern[++i]!);
    else out += escapeRe(c);
  }
  return out;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function trimPrefix(v: string, pattern: string, longest: boolean): string {
  const m = new RegExp(`^(${globSource(pattern, longest)})`, 's').exec(v);
  return m ? v.slice(m[1]!.length) : v;
}

function trimSuffix(v: string, pattern: string, longest: boolean): string {
  // try each start position: the earliest start gives the longest suffix
  const re = new RegExp(`^(?:${globSource(pattern, true)})$`, 's');
  if (longest) {
    for (let i = 0; i <= v.length; i++) if (re.test(v.slice(i))) return v.slice(0, i);
  } else {
    for (let i = v.length; i >= 0; i--) if (re.test(v.slice(i))) return v.slice(0, i);
  }
  return v;
}

function replace(v: string, pattern: string, replacement: string, all: boolean): string {
  if (pattern === '') return v;
  const re = new RegExp(globSource(pattern, true), all ? 'gs' : 's');
  return v.replace(re, () => replacement);
}
