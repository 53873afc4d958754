// The word splitters Docker's Dockerfile parser uses before any variable is expanded: one for the
// "--flag=value" words in front of an instruction's arguments, one for ENV/LABEL/ARG words (which
// keeps quotes and escapes for the expander to read later), and plain whitespace splitting.

const isSpace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\v' || ch === '\f';

/** Splits on runs of spaces and tabs (no quoting), as FROM, EXPOSE and shell-form COPY are read. */
export function splitWhitespace(s: string): string[] {
  const t = s.trim();
  return t === '' ? [] : t.split(/[\t\v\f\r ]+/);
}

/**
 * Takes the leading "--name[=value]" words off an instruction's arguments. Quotes group and
 * vanish; a backslash takes the next character. A lone "--" ends the flags.
 */
export function extractFlags(line: string): { rest: string; flags: string[] } {
  const flags: string[] = [];
  let pos = 0;
  for (;;) {
    while (pos < line.length && isSpace(line[pos]!)) pos++;
    if (pos >= line.length) return { rest: '', flags };
    if (line[pos] !== '-' || line[pos + 1] !== '-') return { rest: line.slice(pos), flags };
    let word = '';
    let quote = '';
    let blankOk = false;
    while (pos < line.length) {
      const ch = line[pos]!;
      if (quote) {
        if (ch === quote) quote = '';
        else if (ch === '\\' && pos + 1 < line.length) word += line[++pos];
        else if (ch !== '\\') word += ch;
        pos++;
        continue;
      }
      if (isSpace(ch)) break;
      if (ch === '"' || ch === "'") {
        quote = ch;
        blankOk = true;
      } else if (ch === '\\') {
        if (pos + 1 < line.length) word += line[++pos];
      } else word += ch;
      pos++;
    }
    if (word === '--') return { rest: line.slice(pos).replace(/^\s+/, ''), flags };
    if (blankOk || word.length > 0) flags.push(word);
  }
}

/**
 * Splits ENV, LABEL and ARG arguments into words at unquoted whitespace, keeping quotes and escape
 * characters in the words (the expander removes them later, so `a="b c"` stays one word).
 */
export function parseWords(rest: string, escape: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote = '';
  let blankOk = false;
  for (let pos = 0; pos < rest.length; pos++) {
    const ch = rest[pos]!;
    if (!inWord) {
      if (isSpace(ch)) continue;
      inWord = true;
    }
    if (quote) {
      if (ch === quote) quote = '';
      if (ch === escape && quote !== "'" && ch !== quote) {
        if (pos + 1 === rest.length) continue;
        word += ch + rest[++pos]!;
        continue;
      }
      word += ch;
      continue;
    }
    if (isSpace(ch)) {
      if (blankOk || word.length > 0) words.push(word);
      word = '';
      blankOk = false;
      inWord = false;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      blankOk = true;
    }
    if (ch === escape) {
      if (pos + 1 === rest.length) continue;
      word += ch + rest[++pos]!;
      continue;
    }
    word += ch;
  }
  if (inWord && (blankOk || word.length > 0)) words.push(word);
  return words;
}
