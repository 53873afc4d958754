// Long steps (a kernel compile) print a heartbeat so a build never looks hung.
import { log } from '../lib/progress.ts';

export async function withTicker<T>(scope: string, what: string, work: Promise<T>, everyMs = 30_000): Promise<T> {
  const start = Date.now();
  const timer = setInterval(() => log(scope, `${what}: still running (${Math.round((Date.now() - start) / 1000)} s)`), everyMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
