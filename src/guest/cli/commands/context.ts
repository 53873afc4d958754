// What every docker command gets (the client, stdout/stderr) and the helpers commands share.

import type { Syscalls } from '../../sys/syscalls.ts';
import { type CommandSpec, type FlagSpec, type Parsed } from '../../util/flags.ts';
import { utf8Decode } from '../../util/text.ts';
import { ApiResponseError, Client } from '../client.ts';

export const f = (name: string, kind: FlagSpec['kind'], help: string, short?: string, extra: Partial<FlagSpec> = {}): FlagSpec => ({ name, kind, help, ...(short ? { short } : {}), ...extra });

/** A failure the CLI reports and exits with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

export interface Ctx {
  sys: Syscalls;
  client: Client;
  out: (s: string) => void;
  err: (s: string) => void;
}

export type Command = (c: Ctx, p: Parsed) => number | Promise<number>;

/** One docker command: its flags and usage, and what it does. */
export interface CommandDef {
  spec: CommandSpec;
  run: Command;
}

/** A command group's commands by name as typed ("ps", "volume ls"). */
export type CommandTable = Record<string, CommandDef>;

export function parseSummary<T>(c: Ctx, path: string): T {
  return c.client.call<T>('GET', path);
}

/** Runs fn for each argument, printing the argument (or fn's result) or Docker's error. */
export function eachContainer(c: Ctx, p: Parsed, fn: (name: string) => unknown): number {
  let code = 0;
  for (const n of p.args) {
    try {
      const r = fn(encodeURIComponent(n));
      c.out(`${typeof r === 'string' ? r : n}\n`);
    } catch (e) {
      if (!(e instanceof ApiResponseError)) throw e;
      c.err(`Error response from daemon: ${e.message}\n`);
      code = 1;
    }
  }
  return code;
}

export function confirm(c: Ctx, warning: string): boolean {
  c.out(`${warning}\nAre you sure you want to continue? [y/N] `);
  const buf = new Uint8Array(256);
  let n = 0;
  try {
    n = c.sys.read(0, buf);
  } catch {
    n = 0;
  }
  const answer = utf8Decode(buf, 0, n).trim().toLowerCase();
  if (n === 0) c.out('\n');
  return answer === 'y' || answer === 'yes';
}
