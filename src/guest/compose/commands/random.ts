// A short random hex suffix for one-off container names (`<project>-<service>-run-1a2b3c4d5e6f`).
import type { Syscalls } from '../../sys/syscalls.ts';

export function randomHex(sys: Syscalls, bytes: number): string {
  return [...sys.randomBytes(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
