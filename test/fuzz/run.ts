// Runs one fuzz target for a number of cases and reports the rate and the first finding (shrunk
// by fast-check to a small input). Shared by the short pass (fuzz.test.ts) and `npm run fuzz`.
import fc from 'fast-check';
import type { Target } from './targets.ts';

export interface FuzzResult {
  name: string;
  cases: number;
  ms: number;
  /** The slowest single case: a parser that nearly hangs shows here. */
  slowestMs: number;
  finding: string | null;
}

export function runTarget(t: Target, numRuns: number, seed?: number): FuzzResult {
  let slowest = 0;
  let cases = 0;
  const prop = fc.property(t.arb, (input) => {
    cases++;
    const t0 = performance.now();
    try {
      t.check(input);
    } finally {
      slowest = Math.max(slowest, performance.now() - t0);
    }
  });
  const t0 = performance.now();
  const out = fc.check(prop, { numRuns, seed, endOnFailure: false });
  const ms = performance.now() - t0;
  let finding: string | null = null;
  if (out.failed) {
    const err = out.errorInstance;
    finding = `${err instanceof Error ? err.message : String(err)}\n  seed ${out.seed}, path ${out.counterexamplePath}\n  input ${fc.stringify(out.counterexample)}`;
  }
  return { name: t.name, cases, ms, slowestMs: slowest, finding };
}
