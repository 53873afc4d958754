// A small schema checker for YAML front matter (and quiz blocks). It walks the YAML document's
// nodes rather than the plain parsed value, so each error points at the line of the bad key or
// value. Unknown keys are errors with a "did you mean" suggestion: a typo must not pass silently.
import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import type { Diagnostic } from './types.ts';

interface Common {
  required?: boolean;
  /** Short description used in error messages, e.g. "a duration in minutes". */
  describe?: string;
}

export type FieldSpec =
  | (Common & { type: 'string'; pattern?: RegExp; patternHint?: string })
  | (Common & { type: 'number'; min?: number; max?: number; integer?: boolean })
  | (Common & { type: 'boolean' })
  | (Common & { type: 'enum'; values: readonly string[] })
  | (Common & { type: 'list'; of: FieldSpec; minItems?: number })
  | (Common & { type: 'object'; fields: Record<string, FieldSpec> });

export interface ParsedYaml {
  /** The validated value (fields missing from the input are absent); null when unusable. */
  value: Record<string, unknown> | null;
  errors: Diagnostic[];
}

/**
 * Parses YAML text found at `firstLine` of `file` and checks it against an object spec.
 * Returns the plain value even when some fields are wrong, so callers can keep going.
 */
export function parseYamlWithSchema(
  text: string,
  file: string,
  firstLine: number,
  spec: Extract<FieldSpec, { type: 'object' }>,
): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const errors: Diagnostic[] = [];
  const lineOf = (offset: number | undefined): number =>
    offset === undefined ? firstLine : lineCounter.linePos(offset).line + firstLine - 1;
  for (const e of doc.errors)
    errors.push({ file, line: lineOf(e.pos[0]), message: `YAML: ${firstSentence(e.message)}` });
  if (errors.length > 0) return { value: null, errors };
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    if (Object.values(spec.fields).some((f) => f.required))
      errors.push({ file, line: firstLine, message: 'front matter is empty' });
    return { value: {}, errors };
  }
  const ctx: Ctx = { file, lineOf, errors };
  const value = check(root as YamlNode, spec, '', ctx);
  return { value: (value as Record<string, unknown> | undefined) ?? null, errors };
}

interface Ctx {
  file: string;
  lineOf: (offset: number | undefined) => number;
  errors: Diagnostic[];
}

function firstSentence(s: string): string {
  return s.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? s;
}

function describe(spec: FieldSpec): string {
  if (spec.describe) return spec.describe;
  switch (spec.type) {
    case 'string':
      return 'a string';
    case 'number':
      return spec.integer ? 'a whole number' : 'a number';
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${spec.values.map((v) => `"${v}"`).join(', ')}`;
    case 'list':
      return `a list of ${describe(spec.of).replace(/^an? /, '')}s`;
    case 'object':
      return `a mapping with keys ${Object.keys(spec.fields).join(', ')}`;
  }
}

function check(node: YamlNode, spec: FieldSpec, path: string, ctx: Ctx): unknown {
  const line = ctx.lineOf(node.range?.[0]);
  const fail = (msg: string): undefined => {
    ctx.errors.push({ file: ctx.file, line, message: `${path || 'front matter'}: ${msg}` });
    return undefined;
  };
  switch (spec.type) {
    case 'object': {
      if (!isMap(node)) return fail(`expected ${describe(spec)}`);
      const out: Record<string, unknown> = {};
      const seen = new Set<string>();
      for (const pair of node.items) {
        const keyNode = pair.key as YamlNode | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : '';
        const keyLine = ctx.lineOf(keyNode?.range?.[0]);
        const where = path ? `${path}.${key}` : key;
        const field = spec.fields[key];
        if (!field) {
          const guess = closest(key, Object.keys(spec.fields));
          ctx.errors.push({
            file: ctx.file,
            line: keyLine,
            message: `unknown key "${where}"${guess ? ` (did you mean "${guess}"?)` : ''}; allowed: ${Object.keys(spec.fields).join(', ')}`,
          });
          continue;
        }
        seen.add(key);
        const valueNode = pair.value as YamlNode | null;
        if (valueNode === null || (isScalar(valueNode) && valueNode.value === null)) {
          ctx.errors.push({ file: ctx.file, line: keyLine, message: `${where}: has no value; expected ${describe(field)}` });
          continue;
        }
        const v = check(valueNode, field, where, ctx);
        if (v !== undefined) out[key] = v;
      }
      for (const [key, field] of Object.entries(spec.fields))
        if (field.required && !seen.has(key))
          ctx.errors.push({ file: ctx.file, line, message: `missing required key "${path ? `${path}.` : ''}${key}" (${describe(field)})` });
      return out;
    }
    case 'list': {
      if (!isSeq(node)) return fail(`expected ${describe(spec)}`);
      const out: unknown[] = [];
      node.items.forEach((item, i) => {
        const v = check(item as YamlNode, spec.of, `${path}[${i + 1}]`, ctx);
        if (v !== undefined) out.push(v);
      });
      if (spec.minItems !== undefined && node.items.length < spec.minItems)
        return fail(`needs at least ${spec.minItems} item${spec.minItems === 1 ? '' : 's'}`);
      return out;
    }
    default: {
      if (!isScalar(node)) return fail(`expected ${describe(spec)}`);
      const v = node.value;
      if (spec.type === 'string') {
        // Numbers and booleans written where text is expected are almost always meant as text.
        if (typeof v !== 'string' && typeof v !== 'number') return fail(`expected ${describe(spec)}`);
        const s = String(v).trim();
        if (s === '') return fail('must not be empty');
        if (spec.pattern && !spec.pattern.test(s)) return fail(`"${s}" is not ${spec.patternHint ?? describe(spec)}`);
        return s;
      }
      if (spec.type === 'number') {
        if (typeof v !== 'number' || !Number.isFinite(v)) return fail(`expected ${describe(spec)}, got "${String(v)}"`);
        if (spec.integer && !Number.isInteger(v)) return fail(`expected ${describe(spec)}, got ${v}`);
        if (spec.min !== undefined && v < spec.min) return fail(`must be at least ${spec.min}`);
        if (spec.max !== undefined && v > spec.max) return fail(`must be at most ${spec.max}`);
        return v;
      }
      if (spec.type === 'boolean') {
        if (typeof v !== 'boolean') return fail(`expected true or false, got "${String(v)}"`);
        return v;
      }
      const s = String(v);
      if (!spec.values.includes(s)) {
        const guess = closest(s, spec.values);
        return fail(`"${s}" is not ${describe(spec)}${guess ? ` (did you mean "${guess}"?)` : ''}`);
      }
      return s;
    }
  }
}

/** The candidate within edit distance 2 (or a third of the word), for "did you mean". */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

// The front matter of lesson.md and of each step, and the body of a ```quiz block.

const SLUG = /^\d\d-[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Guest memory a lesson may ask for (environment.memory). The default is the boot snapshot's;
 * a lesson that runs a database and a web server asks for more instead of every lesson paying
 * for it. Below 128 MiB the guest's daemons and a container do not fit; above 1 GiB a browser
 * tab may not get the memory (the emulator reserves all of it up front).
 */
export const DEFAULT_GUEST_MEMORY_MIB = 256;
export const MIN_GUEST_MEMORY_MIB = 128;
export const MAX_GUEST_MEMORY_MIB = 1024;

export const lessonSpec = {
  type: 'object',
  fields: {
    title: { type: 'string', required: true },
    summary: { type: 'string', required: true },
    minutes: { type: 'number', required: true, integer: true, min: 1, max: 600, describe: 'the estimated time in minutes' },
    prerequisites: { type: 'list', of: { type: 'string', pattern: SLUG, patternHint: 'a lesson folder name like "01-virtual-machines"' } },
    environment: {
      type: 'object',
      fields: {
        workdir: { type: 'string', pattern: /^\/[^\s]*$/, patternHint: 'an absolute guest path like /root/lab' },
        open: { type: 'list', of: { type: 'string', pattern: /^[^/\s][^\s]*$/, patternHint: 'a path relative to the working folder' } },
        images: { type: 'list', of: { type: 'string', pattern: /^[a-z0-9][a-z0-9._/-]*(?::[\w.-]+)?$/, patternHint: 'an image reference like alpine:3.19' } },
        setup: { type: 'string', pattern: /^[\w.-]+\.sh$/, patternHint: 'a script file name in the lesson folder, like setup.sh' },
        memory: { type: 'number', integer: true, min: MIN_GUEST_MEMORY_MIB, max: MAX_GUEST_MEMORY_MIB, describe: `the guest's memory in MiB (default ${DEFAULT_GUEST_MEMORY_MIB})` },
      },
    },
  },
} as const satisfies FieldSpec;

export const stepSpec = {
  type: 'object',
  fields: {
    title: { type: 'string', required: true },
    hints: { type: 'list', of: { type: 'string' } },
    check: { type: 'enum', values: ['auto', 'button'] },
    timeout: { type: 'number', min: 1, max: 300, describe: 'the check timeout in seconds' },
  },
} as const satisfies FieldSpec;

export const quizSpec = {
  type: 'object',
  fields: {
    question: { type: 'string', required: true },
    choices: {
      type: 'list',
      required: true,
      minItems: 2,
      of: {
        type: 'object',
        fields: {
          text: { type: 'string', required: true },
          correct: { type: 'boolean' },
          explain: { type: 'string' },
        },
      },
    },
  },
} as const satisfies FieldSpec;

export const DEFAULT_WORKDIR = '/root/lab';
export const DEFAULT_CHECK_TIMEOUT_S = 15;
