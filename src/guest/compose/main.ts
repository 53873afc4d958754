// `docker compose` and `docker-compose`: global options (-f, -p, --project-directory,
// --env-file, --profile), the command table, and Compose's error wording (exit code 1).

import type { Syscalls } from '../sys/syscalls.ts';
import { writeAll } from '../sys/io.ts';
import { helpText, parseFlags, UsageError, type CommandSpec, type Parsed } from '../util/flags.ts';
import { decodeUtf8 } from '../sys/utf8.ts';
import { ApiResponseError, Client, DaemonDownError } from '../cli/client.ts';
import { mkdirp } from '../util/fsutil.ts';
import { ComposeError } from './errors.ts';
import { HttpEngine } from './engine-http.ts';
import { loadProject, normalizeProjectName, type LoadHost } from './load.ts';
import type { Project } from './model.ts';
import { Progress } from './progress.ts';
import { flag, type Command, type ComposeCtx, type GlobalOptions } from './commands/context.ts';
import { lifecycleCommands } from './commands/lifecycle.ts';
import { inspectCommands } from './commands/inspect.ts';
import { COMPOSE_VERSION } from './converge/spec.ts';

const COMMANDS: Record<string, Command> = { ...lifecycleCommands, ...inspectCommands };

const GLOBAL: CommandSpec = {
  path: 'docker compose',
  usage: '[OPTIONS] COMMAND',
  description: 'Define and run multi-container applications with Docker',
  interspersed: false,
  flags: [
    flag('file', 'list', 'Compose configuration files', 'f', { valueName: 'stringArray' }),
    flag('project-name', 'string', 'Project name', 'p'),
    flag('project-directory', 'string', 'Specify an alternate working directory\n                                   (default: the path of the, first specified, Compose file)'),
    flag('env-file', 'list', 'Specify an alternate environment file', undefined, { valueName: 'stringArray' }),
    flag('profile', 'list', 'Specify a profile to enable', undefined, { valueName: 'stringArray' }),
    flag('ansi', 'string', 'Control when to print ANSI control characters ("never"|"always"|"auto")', undefined, { default: 'auto' }),
    flag('progress', 'string', 'Set type of progress output (auto, tty, plain, json, quiet)', undefined, { default: 'auto' }),
    flag('parallel', 'int', 'Control max parallelism, -1 for unlimited', undefined, { default: -1 }),
    flag('compatibility', 'bool', 'Run compose in backward compatibility mode'),
    flag('dry-run', 'bool', 'Execute command in dry run mode', undefined, { hidden: true }),
    flag('version', 'bool', 'Show the Docker Compose version information', 'v', { hidden: true }),
  ],
};

function usage(self: string): string {
  const names = Object.keys(COMMANDS).sort();
  const w = Math.max(...names.map((n) => n.length)) + 3;
  const list = names.map((n) => `  ${n.padEnd(w)}${COMMANDS[n]!.spec.description}`).join('\n');
  return `${helpText({ ...GLOBAL, path: self }).replace(/\n$/, '')}\n\nCommands:\n${list}\n\nRun '${self} COMMAND --help' for more information on a command.\n`;
}

function loadHost(sys: Syscalls, warn: (s: string) => void): LoadHost {
  const env: Record<string, string> = {};
  for (const kv of sys.environ()) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return {
    cwd: sys.getcwd(),
    env,
    readFile: (p) => {
      const st = sys.statOrNull(p);
      if (!st || (st.mode & 0o170000) === 0o040000) return null;
      return decodeUtf8(sys.readFile(p));
    },
    warn,
  };
}

/** The docker CLI, which exec and run's attach hand over to (given by the caller, never imported). */
export type DockerCli = (args: string[], sys: Syscalls) => Promise<number>;

/**
 * The compose role. `self` is how the user called us ("docker compose" or "docker-compose");
 * `docker` is the docker CLI's entry point, passed in so compose and the CLI do not import each other.
 * Synchronous inside where it can be: QuickJS ends the process on a rejected promise nobody has
 * handled yet, so failures are caught here and turned into exit codes.
 */
export function composeMain(argv: string[], sys: Syscalls, self: string, docker: DockerCli): Promise<number> {
  const out = (s: string): void => writeAll(sys, 1, s);
  const err = (s: string): void => writeAll(sys, 2, s);
  const report = (e: unknown): number => {
    if (e instanceof DaemonDownError) err(`${e.message}\n`);
    else if (e instanceof ApiResponseError) err(`Error response from daemon: ${e.message}\n`);
    else if (e instanceof UsageError) {
      err(`${e.message}\n`);
      return 1;
    } else err(`${(e as Error).message}\n`);
    return e instanceof ComposeError ? e.exitCode : 1;
  };
  try {
    const r = run(argv, sys, self, docker, out, err);
    return typeof r === 'number' ? Promise.resolve(r) : r.then(undefined, report);
  } catch (e) {
    return Promise.resolve(report(e));
  }
}

function run(argv: string[], sys: Syscalls, self: string, docker: DockerCli, out: (s: string) => void, err: (s: string) => void): number | Promise<number> {
  const g = parseFlags({ ...GLOBAL, path: self }, argv);
  if (g.flags.bool('version')) {
    out(`Docker Compose version v${COMPOSE_VERSION}\n`);
    return 0;
  }
  const [name, ...rest] = g.args;
  if (g.help || name === undefined || name === 'help') {
    out(usage(self));
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    err(`unknown ${self === 'docker-compose' ? 'command' : 'docker command'}: "${self === 'docker-compose' ? name : `compose ${name}`}"\n`);
    return 1;
  }
  const spec: CommandSpec = { ...cmd.spec, path: cmd.spec.path.replace('docker compose', self) };
  const p: Parsed = parseFlags(spec, rest);
  if (p.help) {
    out(helpText(spec));
    return 0;
  }
  // logrus's two layouts, as Compose prints warnings: short on a terminal, key=value otherwise
  const stamp = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const warn = (s: string): void =>
    err(s.split('\nWARN[0000] ').map((l) => (sys.isatty(2) ? `WARN[0000] ${l}` : `time="${stamp}" level=warning msg=${JSON.stringify(l)}`)).join('\n') + '\n');
  const ansi = g.flags.string('ansi');
  const global: GlobalOptions = {
    files: g.flags.list('file'),
    projectName: g.flags.string('project-name'),
    projectDirectory: g.flags.string('project-directory'),
    envFiles: g.flags.list('env-file'),
    profiles: g.flags.list('profile'),
    color: ansi === 'always' || (ansi !== 'never' && sys.getenv('NO_COLOR') === undefined && sys.isatty(1)),
    progress: g.flags.string('progress'),
  };
  const host = loadHost(sys, warn);
  let project: Project | null = null;
  let client: Client | null = null;
  let engine: HttpEngine | null = null;
  const load = (enable: string[] = []): Project => {
    project ??= loadProject(host, {
      files: global.files,
      ...(global.projectName ? { projectName: global.projectName } : {}),
      ...(global.projectDirectory ? { projectDirectory: global.projectDirectory } : {}),
      envFiles: global.envFiles,
      profiles: global.profiles,
      enable,
    });
    return project;
  };
  const tty = global.progress === 'tty' || (global.progress === 'auto' && sys.isatty(2));
  const ctx: ComposeCtx = {
    sys,
    out,
    err,
    warn,
    global,
    self,
    docker: (args) => docker(args, sys),
    project: load,
    projectName: () => {
      // -p alone names a project without its file (down, ps, logs); a broken file still fails
      try {
        const p = load();
        return { name: p.name, project: p };
      } catch (e) {
        const n = global.projectName || host.env['COMPOSE_PROJECT_NAME'];
        if (n && e instanceof ComposeError && /no configuration file provided/.test(e.message)) return { name: normalizeProjectName(n), project: null };
        throw e;
      }
    },
    client: () => (client ??= new Client(sys)),
    engine: () => (engine ??= new HttpEngine(ctx.client(), sys, err)),
    progress: (title) => {
      let columns = 80;
      try {
        columns = sys.getWinsize(2).cols || 80;
      } catch {
        // not a terminal
      }
      const quiet = global.progress === 'quiet';
      return new Progress({ write: (s) => (quiet ? undefined : err(s)), tty, columns, now: () => sys.monotonicMs() }, title);
    },
    pause: (ms) => {
      sys.poll([], ms);
    },
    mkdirp: (p) => mkdirp(sys, p, 0o755),
    now: () => Date.now(),
  };
  return cmd.run(ctx, p);
}
