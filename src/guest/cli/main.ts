// The docker command line: global options, command lookup (commands/index.ts holds the table),
// flag parsing, and Docker's wording and exit codes for errors.

import type { Syscalls } from '../sys/syscalls.ts';
import { writeAll } from '../sys/io.ts';
import { isErrno } from '../sys/errors.ts';
import { helpText, parseFlags, UsageError, type CommandSpec, type Parsed } from '../util/flags.ts';
import { ApiResponseError, Client, DaemonDownError } from './client.ts';
import { ReferenceError as ImageRefError } from '../images/reference.ts';
import { ENGINE_VERSION } from '../api/engine-api.ts';
import { COMMAND_MODULES } from './commands/index.ts';
import { CliError, type CommandDef, type Ctx } from './commands/context.ts';
import { TemplateError } from './format.ts';

/** Aliases Docker keeps: docker container ls, docker image ls, docker container run... */
const ALIASES: Record<string, string> = {
  'container run': 'run', 'container create': 'create', 'container ls': 'ps', 'container list': 'ps', 'container ps': 'ps',
  'container start': 'start', 'container attach': 'attach', 'container exec': 'exec', 'container top': 'top', 'container stats': 'stats', 'image history': 'history', 'container stop': 'stop', 'container restart': 'restart', 'container kill': 'kill',
  'container rm': 'rm', 'container logs': 'logs', 'container wait': 'wait',
  'image ls': 'images', 'image list': 'images', 'image pull': 'pull', 'image rm': 'rmi',
  'image tag': 'tag', 'image build': 'build', 'buildx build': 'build', 'builder build': 'build', 'buildx prune': 'builder prune', 'volume list': 'volume ls', 'network list': 'network ls', 'network remove': 'network rm', 'container port': 'port', 'system events': 'events', 'system info': 'info', 'image remove': 'rmi', 'container remove': 'rm', 'container commit': 'commit', 'container cp': 'cp', 'container rename': 'rename', 'image save': 'save', 'image load': 'load',
};

const MAIN_USAGE = `
Usage:  docker [OPTIONS] COMMAND

A self-sufficient runtime for containers

Common Commands:
  run         Create and run a new container from an image
  build       Build an image from a Dockerfile
  exec        Execute a command in a running container
  ps          List containers
  pull        Download an image from a registry
  images      List images
  logs        Fetch the logs of a container
  inspect     Return low-level information on Docker objects
  version     Show the Docker version information
  info        Display system-wide information

Management Commands:
  builder     Manage builds
  container   Manage containers
  image       Manage images
  system      Manage Docker
  network     Manage networks
  volume      Manage volumes
  compose*    Docker Compose

Commands:
  attach      Attach local standard input, output, and error streams to a running container
  commit      Create a new image from a container's changes
  cp          Copy files/folders between a container and the local filesystem
  create      Create a new container
  events      Get real time events from the server
  kill        Kill one or more running containers
  load        Load an image from a tar archive or STDIN
  port        List port mappings or a specific mapping for the container
  rename      Rename a container
  restart     Restart one or more containers
  rm          Remove one or more containers
  rmi         Remove one or more images
  save        Save one or more images to a tar archive (streamed to STDOUT by default)
  start       Start one or more stopped containers
  stop        Stop one or more running containers
  tag         Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
  history     Show the history of an image
  stats       Display a live stream of container(s) resource usage statistics
  top         Display the running processes of a container
  wait        Block until one or more containers stop, then print their exit codes

Global Options:
  -H, --host string   Daemon socket to connect to
  -v, --version       Print version information and quit

Run 'docker COMMAND --help' for more information on a command.
`;

/** Synchronous inside (see shimMain on QuickJS and rejected promises). */
export function dockerMain(argv: string[], sys: Syscalls): Promise<number> {
  try {
    return Promise.resolve(dockerRun(argv, sys));
  } catch (e) {
    if (e instanceof StdoutClosed) return Promise.resolve(SIGPIPE_EXIT);
    writeAll(sys, 2, `${(e as Error).message}\n`);
    return Promise.resolve(1);
  }
}

/**
 * Standard output's reader went away (`docker events | head`). Docker's CLI, a Go program, dies
 * of SIGPIPE there without a word; we ignore SIGPIPE (main.ts), so we end quietly with the code
 * a shell shows for it.
 */
class StdoutClosed extends Error {}
const SIGPIPE_EXIT = 128 + 13;

function dockerRun(argv: string[], sys: Syscalls): number | Promise<number> {
  const out = (s: string): void => {
    try {
      writeAll(sys, 1, s);
    } catch (e) {
      throw isErrno(e, 'EPIPE') ? new StdoutClosed() : e;
    }
  };
  const err = (s: string): void => writeAll(sys, 2, s);
  let args = [...argv];
  let host: string | undefined;
  while (args[0]?.startsWith('-')) {
    const a = args.shift()!;
    if (a === '-H' || a === '--host') host = args.shift();
    else if (a.startsWith('--host=')) host = a.slice(7);
    else if (a === '-v' || a === '--version') {
      out(`Docker version ${ENGINE_VERSION}, build whalebone\n`);
      return 0;
    } else if (a === '--help' || a === '-h') {
      out(MAIN_USAGE);
      return 0;
    } else if (a === '-D' || a === '--debug') continue;
    else {
      err(`unknown flag: ${a}\n\nUsage:  docker [OPTIONS] COMMAND [ARG...]\n\nRun 'docker --help' for more information\n`);
      return 125;
    }
  }
  if (args.length === 0) {
    out(MAIN_USAGE);
    return 0;
  }
  if (args[0] === 'compose') {
    // the Compose v2 plugin form: its code loads only when used
    return import('../compose/main.ts').then((m) => m.composeMain(args.slice(1), sys, 'docker compose', dockerMain));
  }
  let name = args[0]!;
  let rest = args.slice(1);
  const two = `${args[0]} ${args[1] ?? ''}`;
  if (COMMAND_MODULES[two] || ALIASES[two]) {
    name = ALIASES[two] ?? two;
    rest = args.slice(2);
  } else if (ALIASES[name]) name = ALIASES[name]!;
  const load = COMMAND_MODULES[name];
  if (!load) {
    err(`docker: unknown command: docker ${args.slice(0, ['container', 'image', 'volume', 'system', 'network', 'builder'].includes(args[0]!) ? 2 : 1).join(' ')}\n\nRun 'docker --help' for more information\n`);
    return 1;
  }
  const command = name;
  // A handler attached at once: QuickJS's rejection tracker exits on a rejection nobody handles yet.
  return load().then(
    (table) => runCommand(table[command]!, command, rest, sys, host, out, err),
    (e: unknown) => {
      err(`docker: cannot load the code of docker ${command}: ${(e as Error).message}\n`);
      return 1;
    },
  );
}

function runCommand(cmd: CommandDef, name: string, rest: string[], sys: Syscalls, host: string | undefined, out: (s: string) => void, err: (s: string) => void): number | Promise<number> {
  const spec = cmd.spec;
  let p: Parsed;
  try {
    p = parseFlags(spec, rest);
  } catch (e) {
    if (e instanceof UsageError) {
      err(e.render());
      return e.exitCode;
    }
    throw e;
  }
  if (p.help) {
    out(helpText(spec));
    return 0;
  }
  const report = (e: unknown): number => reportError(e, name, spec, err);
  try {
    const ctx: Ctx = { sys, client: new Client(sys, host), out, err };
    const r = cmd.run(ctx, p);
    return typeof r === 'number' ? r : r.then(undefined, report);
  } catch (e) {
    return report(e);
  }
}

/** Docker's wording and exit code for a failed command. */
function reportError(e: unknown, name: string, spec: CommandSpec, err: (s: string) => void): number {
  {
    if (e instanceof StdoutClosed) return SIGPIPE_EXIT;
    if (e instanceof DaemonDownError) {
      err(`${e.message}\n`);
      return 1;
    }
    if (e instanceof ApiResponseError) {
      if (name === 'run' || name === 'create') {
        err(`docker: Error response from daemon: ${e.message}\n\nRun '${spec.path} --help' for more information\n`);
        return /executable file not found|no such file or directory/.test(e.message) ? 127 : /permission denied/.test(e.message) ? 126 : 125;
      }
      err(`Error response from daemon: ${e.message}\n`);
      return 1;
    }
    if (e instanceof ImageRefError && (name === 'run' || name === 'create')) {
      // checked by the client before anything is sent, and reported like a usage error
      err(`docker: ${e.message}\n\nRun '${spec.path} --help' for more information\n`);
      return 125;
    }
    if (e instanceof CliError || e instanceof TemplateError) {
      err(`${e.message}\n`);
      return e instanceof CliError ? e.code : 1;
    }
    err(`${(e as Error).message}\n`);
    return 1;
  }
}
