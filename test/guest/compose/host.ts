// An in-memory machine for the loader: files by absolute path, an environment, warnings kept.
import type { LoadHost } from '../../../src/guest/compose/load.ts';

export interface MemHost extends LoadHost {
  warnings: string[];
}

export function memHost(files: Record<string, string>, env: Record<string, string> = {}, cwd = '/root/lab'): MemHost {
  const warnings: string[] = [];
  return {
    cwd,
    env,
    readFile: (p) => files[p] ?? null,
    warn: (m) => warnings.push(m),
    warnings,
  };
}
