// Interpolation stage: ${VAR}, $VAR, ${VAR:-default}, ${VAR-default}, ${VAR:?error},
// ${VAR?error}, ${VAR:+replacement}, ${VAR+replacement} and $$ in every string value of a
// loaded file (keys are left alone), before the files are validated and merged.

import { ComposeError } from './errors.ts';

export type Lookup = (name: string) => string | undefined;

/** Variables used but not set: each is warned about once. */
export type MissingHook = (name: string) => void;

class TemplateError extends Error {}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Expands one string; `where` names its place in errors (services.web.image). */
export function interpolateString(s: string, lookup: Lookup, where: string, missing?: MissingHook): string {
  if (!s.includes('$')) return s;
  try {
    return expand(s, lookup, missing ?? (() => {}));
  } catch (e) {
    if (e instanceof TemplateError) {
      if (e.message) throw new ComposeError(`error while interpolating ${where}: ${e.message}`);
      throw new ComposeError(`invalid interpolation format for ${where}.\nYou may need to escape any $ with another $.\n${s}`);
    }
    throw e;
  }
}

function expand(s: string, lookup: Lookup, missing: MissingHook): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = matchingBrace(s, i + 1);
      if (end < 0) throw new TemplateError('');
      out += substitute(s.slice(i + 2, end), lookup, missing);
      i = end + 1;
      continue;
    }
    const m = NAME.exec(s.slice(i + 1));
    if (!m) {
      // a lone $ (end of string, or before a character that starts no name) is invalid
      throw new TemplateError('');
    }
    out += value(m[0], lookup, missing);
    i += 1 + m[0].length;
  }
  return out;
}

/** Index of the } that closes the { at `open`, counting nested ${...}. */
function matchingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '$') {
      i++;
      continue;
    }
    if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function value(name: string, lookup: Lookup, missing: MissingHook): string {
  const v = lookup(name);
  if (v === undefined) {
    missing(name);
    return '';
  }
  return v;
}

function substitute(body: string, lookup: Lookup, missing: MissingHook): string {
  const m = NAME.exec(body);
  if (!m) throw new TemplateError('');
  const name = m[0];
  const rest = body.slice(name.length);
  if (rest === '') return value(name, lookup, missing);
  const op = /^(:?[-?+])/.exec(rest);
  if (!op) throw new TemplateError('');
  const arg = rest.slice(op[1]!.length);
  const v = lookup(name);
  const colon = op[1]!.startsWith(':');
  // with a colon, an empty value counts as unset
  const unset = v === undefined || (colon && v === '');
  switch (op[1]!.replace(':', '')) {
    case '-':
      return unset ? expand(arg, lookup, missing) : v!;
    case '+':
      return unset ? '' : expand(arg, lookup, missing);
    default: {
      if (!unset) return v!;
      const why = expand(arg, lookup, missing);
      throw new TemplateError(`required variable ${name} is missing a value${why ? `: ${why}` : ''}`);
    }
  }
}

/** Interpolates every string value of a loaded file, in place of a copy. */
export function interpolateTree(node: unknown, lookup: Lookup, missing: MissingHook, path = ''): unknown {
  if (typeof node === 'string') return interpolateString(node, lookup, path || '(root)', missing);
  if (Array.isArray(node)) return node.map((x) => interpolateTree(x, lookup, missing, `${path}.[]`));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) out[k] = interpolateTree(v, lookup, missing, path ? `${path}.${k}` : k);
    return out;
  }
  return node;
}
