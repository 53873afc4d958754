// .env and env_file parsing, with Compose's rules: KEY=VALUE lines, `export ` prefix, # comments,
// single quotes literal, double quotes with \n \t \" \\ escapes, inline ` #` comments after an
// unquoted value, and ${VAR} in unquoted or double-quoted values expanded from what is already known.

import { ComposeError } from './errors.ts';
import { interpolateString } from './interpolate.ts';

export interface DotenvLookup {
  (name: string): string | undefined;
}

export function parseDotenv(text: string, file: string, lookup: DotenvLookup = () => undefined): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const known = (n: string): string | undefined => {
    const v = out[n];
    return typeof v === 'string' ? v : lookup(n);
  };
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('export ')) line = line.slice(7).replace(/^\s+/, '');
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_.\-\[\]]*$/.test(key)) {
      throw new ComposeError(`failed to read ${file}: line ${i + 1}: unexpected character "${key.replace(/^[A-Za-z0-9_.\-\[\]]*/, '')[0] ?? ' '}" in variable name "${key}"`);
    }
    if (eq < 0) {
      // a bare name takes its value from the environment, or none
      out[key] = lookup(key) ?? null;
      continue;
    }
    let raw = line.slice(eq + 1).replace(/^[ \t]+/, '');
    let value: string;
    const q = raw[0];
    if (q === "'" || q === '"') {
      // a quoted value may span lines until its closing quote
      let body = raw.slice(1);
      let end = closingQuote(body, q);
      while (end < 0 && i + 1 < lines.length) {
        body += '\n' + lines[++i];
        end = closingQuote(body, q);
      }
      if (end < 0) throw new ComposeError(`failed to read ${file}: line ${i + 1}: unterminated quoted value`);
      value = body.slice(0, end);
      if (q === '"') {
        value = value.replace(/\\([nrt"\\$])/g, (_m, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
        value = interpolateString(value, known, `${file}:${i + 1}`);
      }
    } else {
      const hash = raw.search(/\s#/);
      if (hash >= 0) raw = raw.slice(0, hash);
      value = interpolateString(raw.trim(), known, `${file}:${i + 1}`);
    }
    out[key] = value;
  }
  return out;
}

function closingQuote(s: string, q: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && q === '"') {
      i++;
      continue;
    }
    if (s[i] === q) return i;
  }
  return -1;
}
