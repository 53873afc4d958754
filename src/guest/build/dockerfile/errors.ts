// Errors that carry the Dockerfile lines they are about, so every front end can point at them the
// way Docker does: the legacy builder says "dockerfile parse error line 3: ...", BuildKit says
// "dockerfile parse error on line 3: ..." and prints the file around the line.

export interface LineRange {
  /** 1-based, inclusive. */
  start: number;
  end: number;
}

export class DockerfileError extends Error {
  override name = 'DockerfileError';
  constructor(
    /** The message without location, in Docker's words ("unknown instruction: FRM"). */
    readonly detail: string,
    readonly range: LineRange | null,
    /** True for errors found while reading the file (Docker prefixes "dockerfile parse error"). */
    readonly parse = true,
  ) {
    super(range && parse ? `dockerfile parse error on line ${range.start}: ${detail}` : detail);
  }

  /** The legacy (DOCKER_BUILDKIT=0) builder's wording. */
  legacyMessage(): string {
    return this.range && this.parse ? `dockerfile parse error line ${this.range.start}: ${this.detail}` : this.detail;
  }
}

/**
 * BuildKit's excerpt of the file around an error:
 *
 *   Dockerfile:3
 *   --------------------
 *      1 |     FROM busybox
 *      2 |     RUN true
 *      3 | >>> FRM x
 *   --------------------
 */
export function excerpt(name: string, text: string, range: LineRange): string {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const from = Math.max(1, range.start - 2);
  const to = Math.min(lines.length, range.end + 2);
  const width = String(to).length < 4 ? 4 : String(to).length;
  const out = [range.start === range.end ? `${name}:${range.start}` : `${name}:${range.start}-${range.end}`, '--------------------'];
  for (let n = from; n <= to; n++) {
    const mark = n >= range.start && n <= range.end ? '>>>' : '   ';
    out.push(`${String(n).padStart(width)} | ${mark} ${(lines[n - 1] ?? '').replace(/\r$/, '')}`);
  }
  out.push('--------------------');
  return out.join('\n');
}

/** " (did you mean run?)" when a known word is close to what was typed, else "". */
export function suggestion(typed: string, known: readonly string[], caseSensitive = false): string {
  const t = caseSensitive ? typed : typed.toLowerCase();
  let best = '';
  let bestDist = Infinity;
  for (const k of known) {
    const d = distance(t, caseSensitive ? k : k.toLowerCase());
    if (d < bestDist) {
      bestDist = d;
      best = k;
    }
  }
  // close enough: at most a third of the word changed (at least one edit)
  const limit = Math.max(1, Math.floor(t.length / 3));
  return best && bestDist > 0 && bestDist <= limit ? ` (did you mean ${best}?)` : '';
}

/** Edit distance where swapping two neighbours counts as one edit ("form" is one from "from"). */
function distance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    d.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        d[0]![j] = j;
        continue;
      }
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
