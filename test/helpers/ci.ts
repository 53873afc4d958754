// Under CI=true every test must run: a missing build output, tool or privilege there is an error,
// not a skip (a skipped test would let `npm test` pass without testing anything).

export const inCi = process.env['CI'] === 'true';

/** Returns the skip reason unchanged outside CI; under CI=true a reason throws instead. */
export function skipOutsideCi(reason: string | null, what: string): string | null {
  if (reason !== null && inCi) throw new Error(`${what} cannot run under CI=true: ${reason}`);
  return reason;
}
