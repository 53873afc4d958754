// Progress output for long builds: one line per stage start and end, with elapsed time.
const t0 = Date.now();

function elapsed(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function log(scope: string, message: string): void {
  process.stderr.write(`[${scope}] ${message}\n`);
}

export async function stage<T>(scope: string, name: string, fn: () => Promise<T>): Promise<T> {
  const start = Date.now();
  log(scope, `${name} ...`);
  try {
    const result = await fn();
    log(scope, `${name} done in ${elapsed(Date.now() - start)}`);
    return result;
  } catch (err) {
    log(scope, `${name} FAILED after ${elapsed(Date.now() - start)}`);
    throw err;
  }
}

export function totalElapsed(): string {
  return elapsed(Date.now() - t0);
}

/** A clear, user-facing build error: printed without a stack trace by `runMain`. */
export class BuildError extends Error {
  override name = 'BuildError';
}

/** Runs a script's main function; build errors print as one line and exit 1. */
export function runMain(scope: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof BuildError) log(scope, `error: ${err.message}`);
    else log(scope, `error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  });
}
