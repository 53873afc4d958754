// What every compose command gets: output, the global options, the project (loaded on demand),
// the engine, and Compose-style progress and warnings.

import type { Syscalls } from '../../sys/syscalls.ts';
import type { FlagSpec, CommandSpec, Parsed } from '../../util/flags.ts';
import type { Client } from '../../cli/client.ts';
import type { EngineApi } from '../engine.ts';
import type { Project } from '../model.ts';
import type { Progress } from '../progress.ts';

export interface GlobalOptions {
  files: string[];
  projectName: string;
  projectDirectory: string;
  envFiles: string[];
  profiles: string[];
  /** --ansi never / NO_COLOR: no colours. */
  color: boolean;
  /** --progress plain|tty|auto|quiet */
  progress: string;
}

export interface ComposeCtx {
  sys: Syscalls;
  out: (s: string) => void;
  err: (s: string) => void;
  /** `WARN[0000] message` on stderr. */
  warn: (s: string) => void;
  global: GlobalOptions;
  /** "docker compose" or "docker-compose": how help and errors name us. */
  self: string;
  /** Runs the docker CLI with these arguments (exec and run's attach are its own). */
  docker: (args: string[]) => Promise<number>;
  /** Loads the project; `enable` names services wanted whatever their profiles. */
  project: (enable?: string[]) => Project;
  /** The project's name without needing its file when -p is given (down, ps, logs of a project). */
  projectName: () => { name: string; project: Project | null };
  client: () => Client;
  engine: () => EngineApi;
  progress: (title?: string) => Progress;
  pause: (ms: number) => void;
  mkdirp: (path: string) => void;
  now: () => number;
}

export interface Command {
  spec: CommandSpec;
  run: (c: ComposeCtx, p: Parsed) => number | Promise<number>;
}

export const flag = (name: string, kind: FlagSpec['kind'], help: string, short?: string, extra: Partial<FlagSpec> = {}): FlagSpec => ({ name, kind, help, ...(short ? { short } : {}), ...extra });
