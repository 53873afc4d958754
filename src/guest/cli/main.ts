// The docker command line: Docker's commands, flags, output formats and exit codes, talking to
// dockerd over the Engine API.

import type { Syscalls } from '../sys/syscalls.ts';
import { writeAll } from '../sys/io.ts';
import { humanSize, parseRamSize } from '../util/humanize.ts';
import { helpText, parseFlags, UsageError, type CommandSpec, type FlagSpec, type Parsed } from '../util/flags.ts';
import { readText } from '../util/fsutil.ts';
import { utf8Decode } from '../util/text.ts';
import { table } from '../util/tabwriter.ts';
import { canonical, parseRef } from '../images/reference.ts';
import { ApiResponseError, Client, DaemonDownError, Demuxer, type Connection } from './client.ts';
import { pump, rawMode, sendSize } from './stream.ts';
import { dfRows, historyRow, STATS_HEADER, statsRow, type DiskUsage, type HistoryItem, type StatsJson } from './stats.ts';
import { formatTable } from '../util/tabwriter.ts';
import { ago } from './format.ts';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../shim/proto.ts';
import { imageRows, imagesTable, inspectJson, PS_HEADERS, psRow, psTable, renderTemplate, type ContainerSummary, type ImageSummary } from './format.ts';

const f = (name: string, kind: FlagSpec['kind'], help: string, short?: string, extra: Partial<FlagSpec> = {}): FlagSpec => ({ name, kind, help, ...(short ? { short } : {}), ...extra });

const RUN_FLAGS: FlagSpec[] = [
  f('detach', 'bool', 'Run container in background and print container ID', 'd'),
  f('interactive', 'bool', 'Keep STDIN open even if not attached', 'i'),
  f('tty', 'bool', 'Allocate a pseudo-TTY', 't'),
  f('rm', 'bool', 'Automatically remove the container and its associated anonymous volumes when it exits'),
  f('name', 'string', 'Assign a name to the container'),
  f('env', 'list', 'Set environment variables', 'e'),
  f('env-file', 'list', 'Read in a file of environment variables'),
  f('workdir', 'string', 'Working directory inside the container', 'w'),
  f('user', 'string', 'Username or UID (format: <name|uid>[:<group|gid>])', 'u'),
  f('entrypoint', 'string', 'Overwrite the default ENTRYPOINT of the image'),
  f('hostname', 'string', 'Container host name', 'h'),
  f('volume', 'list', 'Bind mount a volume', 'v'),
  f('mount', 'list', 'Attach a filesystem mount to the container', undefined, { valueName: 'mount' }),
  f('tmpfs', 'list', 'Mount a tmpfs directory'),
  f('memory', 'string', 'Memory limit', 'm', { valueName: 'bytes' }),
  f('cpus', 'string', 'Number of CPUs', undefined, { valueName: 'decimal' }),
  f('pids-limit', 'int', 'Tune container pids limit (set -1 for unlimited)'),
  f('restart', 'string', 'Restart policy to apply when a container exits', undefined, { default: 'no' }),
  f('init', 'bool', 'Run an init inside the container that forwards signals and reaps processes'),
  f('label', 'list', 'Set meta data on a container', 'l'),
  f('publish', 'list', 'Publish a container\'s port(s) to the host', 'p'),
  f('network', 'string', 'Connect a container to a network'),
  f('stop-signal', 'string', 'Signal to stop the container'),
  f('stop-timeout', 'int', 'Timeout (in seconds) to stop a container'),
  f('detach-keys', 'string', 'Override the key sequence for detaching a container'),
];

const SPECS: Record<string, CommandSpec> = {
  run: { path: 'docker run', usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]', description: 'Create and run a new container from an image', interspersed: false, minArgs: 1, flags: RUN_FLAGS },
  create: { path: 'docker create', usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]', description: 'Create a new container', interspersed: false, minArgs: 1, flags: RUN_FLAGS.filter((x) => x.name !== 'detach' && x.name !== 'rm') },
  pull: { path: 'docker pull', usage: '[OPTIONS] NAME[:TAG|@DIGEST]', description: 'Download an image from a registry', minArgs: 1, maxArgs: 1, flags: [f('quiet', 'bool', 'Suppress verbose output', 'q'), f('all-tags', 'bool', 'Download all tagged images in the repository', 'a')] },
  ps: { path: 'docker ps', usage: '[OPTIONS]', description: 'List containers', maxArgs: 0, flags: [f('all', 'bool', 'Show all containers (default shows just running)', 'a'), f('quiet', 'bool', 'Only display container IDs', 'q'), f('no-trunc', 'bool', "Don't truncate output"), f('filter', 'list', 'Filter output based on conditions provided', 'f'), f('format', 'string', 'Format output using a custom template'), f('last', 'int', 'Show n last created containers (includes all states)', 'n', { default: -1 }), f('latest', 'bool', 'Show the latest created container (includes all states)', 'l'), f('size', 'bool', 'Display total file sizes', 's')] },
  start: { path: 'docker start', usage: '[OPTIONS] CONTAINER [CONTAINER...]', description: 'Start one or more stopped containers', minArgs: 1, flags: [f('attach', 'bool', 'Attach STDOUT/STDERR and forward signals', 'a'), f('interactive', 'bool', "Attach container's STDIN", 'i'), f('detach-keys', 'string', 'Override the key sequence for detaching a container')] },
  attach: { path: 'docker attach', usage: '[OPTIONS] CONTAINER', description: 'Attach local standard input, output, and error streams to a running container', minArgs: 1, maxArgs: 1, flags: [f('detach-keys', 'string', 'Override the key sequence for detaching a container'), f('no-stdin', 'bool', 'Do not attach STDIN'), f('sig-proxy', 'bool', 'Proxy all received signals to the process (default true)', undefined, { default: true })] },
  top: { path: 'docker top', usage: 'CONTAINER [ps OPTIONS]', description: 'Display the running processes of a container', interspersed: false, minArgs: 1, flags: [] },
  stats: { path: 'docker stats', usage: '[OPTIONS] [CONTAINER...]', description: 'Display a live stream of container(s) resource usage statistics', flags: [f('all', 'bool', 'Show all containers (default shows just running)', 'a'), f('no-stream', 'bool', 'Disable streaming stats and only pull the first result'), f('no-trunc', 'bool', "Do not truncate output"), f('format', 'string', 'Format output using a custom template')] },
  history: { path: 'docker history', usage: '[OPTIONS] IMAGE', description: 'Show the history of an image', minArgs: 1, maxArgs: 1, flags: [f('human', 'bool', 'Print sizes and dates in human readable format', 'H', { default: true }), f('no-trunc', 'bool', "Don't truncate output"), f('quiet', 'bool', 'Only show image IDs', 'q'), f('format', 'string', 'Format output using a custom template')] },
  'system df': { path: 'docker system df', usage: '[OPTIONS]', description: 'Show docker disk usage', maxArgs: 0, flags: [f('verbose', 'bool', 'Show detailed information on space usage', 'v'), f('format', 'string', 'Format output using a custom template')] },
  exec: { path: 'docker exec', usage: '[OPTIONS] CONTAINER COMMAND [ARG...]', description: 'Execute a command in a running container', interspersed: false, minArgs: 2, flags: [f('detach', 'bool', 'Detached mode: run command in the background', 'd'), f('detach-keys', 'string', 'Override the key sequence for detaching a container'), f('env', 'list', 'Set environment variables', 'e'), f('env-file', 'list', 'Read in a file of environment variables'), f('interactive', 'bool', 'Keep STDIN open even if not attached', 'i'), f('privileged', 'bool', 'Give extended privileges to the command'), f('tty', 'bool', 'Allocate a pseudo-TTY', 't'), f('user', 'string', 'Username or UID (format: "<name|uid>[:<group|gid>]")', 'u'), f('workdir', 'string', 'Working directory inside the container', 'w')] },
  stop: { path: 'docker stop', usage: '[OPTIONS] CONTAINER [CONTAINER...]', description: 'Stop one or more running containers', minArgs: 1, flags: [f('time', 'int', 'Seconds to wait before killing the container', 't', { default: -1 }), f('signal', 'string', 'Signal to send to the container', 's')] },
  restart: { path: 'docker restart', usage: '[OPTIONS] CONTAINER [CONTAINER...]', description: 'Restart one or more containers', minArgs: 1, flags: [f('time', 'int', 'Seconds to wait before killing the container', 't', { default: -1 })] },
  kill: { path: 'docker kill', usage: '[OPTIONS] CONTAINER [CONTAINER...]', description: 'Kill one or more running containers', minArgs: 1, flags: [f('signal', 'string', 'Signal to send to the container', 's')] },
  rm: { path: 'docker rm', usage: '[OPTIONS] CONTAINER [CONTAINER...]', description: 'Remove one or more containers', minArgs: 1, flags: [f('force', 'bool', 'Force the removal of a running container (uses SIGKILL)', 'f'), f('volumes', 'bool', 'Remove anonymous volumes associated with the container', 'v')] },
  logs: { path: 'docker logs', usage: '[OPTIONS] CONTAINER', description: 'Fetch the logs of a container', minArgs: 1, maxArgs: 1, flags: [f('follow', 'bool', 'Follow log output', 'f'), f('tail', 'string', 'Number of lines to show from the end of the logs', 'n', { default: 'all' }), f('timestamps', 'bool', 'Show timestamps', 't')] },
  inspect: { path: 'docker inspect', usage: '[OPTIONS] NAME|ID [NAME|ID...]', description: 'Return low-level information on Docker objects', minArgs: 1, flags: [f('format', 'string', 'Format output using a custom template', 'f'), f('type', 'string', 'Only inspect objects of the given type'), f('size', 'bool', 'Display total file sizes if the type is container', 's')] },
  images: { path: 'docker images', usage: '[OPTIONS] [REPOSITORY[:TAG]]', description: 'List images', maxArgs: 1, flags: [f('all', 'bool', 'Show all images (default hides intermediate images)', 'a'), f('quiet', 'bool', 'Only show image IDs', 'q'), f('no-trunc', 'bool', "Don't truncate output"), f('format', 'string', 'Format output using a custom template'), f('digests', 'bool', 'Show digests'), f('filter', 'list', 'Filter output based on conditions provided', 'f')] },
  rmi: { path: 'docker rmi', usage: '[OPTIONS] IMAGE [IMAGE...]', description: 'Remove one or more images', minArgs: 1, flags: [f('force', 'bool', 'Force removal of the image', 'f'), f('no-prune', 'bool', 'Do not delete untagged parents')] },
  tag: { path: 'docker tag', usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]', description: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE', minArgs: 2, maxArgs: 2, flags: [] },
  wait: { path: 'docker wait', usage: 'CONTAINER [CONTAINER...]', description: 'Block until one or more containers stop, then print their exit codes', minArgs: 1, flags: [] },
  version: { path: 'docker version', usage: '[OPTIONS]', description: 'Show the Docker version information', maxArgs: 0, flags: [f('format', 'string', 'Format output using a custom template', 'f')] },
  info: { path: 'docker info', usage: '[OPTIONS]', description: 'Display system-wide information', maxArgs: 0, flags: [f('format', 'string', 'Format output using a custom template', 'f')] },
  'system prune': { path: 'docker system prune', usage: '[OPTIONS]', description: 'Remove unused data', maxArgs: 0, flags: [f('all', 'bool', 'Remove all unused images not just dangling ones', 'a'), f('force', 'bool', 'Do not prompt for confirmation', 'f'), f('volumes', 'bool', 'Prune anonymous volumes')] },
  'container prune': { path: 'docker container prune', usage: '[OPTIONS]', description: 'Remove all stopped containers', maxArgs: 0, flags: [f('force', 'bool', 'Do not prompt for confirmation', 'f')] },
  'image prune': { path: 'docker image prune', usage: '[OPTIONS]', description: 'Remove unused images', maxArgs: 0, flags: [f('all', 'bool', 'Remove all unused images, not just dangling ones', 'a'), f('force', 'bool', 'Do not prompt for confirmation', 'f')] },
  'volume create': { path: 'docker volume create', usage: '[OPTIONS] [VOLUME]', description: 'Create a volume', maxArgs: 1, flags: [f('label', 'list', 'Set metadata for a volume'), f('name', 'string', 'Specify volume name')] },
  'network ls': { path: 'docker network ls', usage: '[OPTIONS]', description: 'List networks', maxArgs: 0, flags: [f('quiet', 'bool', 'Only display network IDs', 'q'), f('no-trunc', 'bool', 'Do not truncate the output'), f('format', 'string', 'Format output using a custom template')] },
  'volume ls': { path: 'docker volume ls', usage: '[OPTIONS]', description: 'List volumes', maxArgs: 0, flags: [f('quiet', 'bool', 'Only display volume names', 'q'), f('format', 'string', 'Format output using a custom template')] },
  'volume rm': { path: 'docker volume rm', usage: '[OPTIONS] VOLUME [VOLUME...]', description: 'Remove one or more volumes', minArgs: 1, flags: [f('force', 'bool', 'Force the removal of one or more volumes', 'f')] },
  'volume inspect': { path: 'docker volume inspect', usage: '[OPTIONS] VOLUME [VOLUME...]', description: 'Display detailed information on one or more volumes', minArgs: 1, flags: [f('format', 'string', 'Format output using a custom template', 'f')] },
  'volume prune': { path: 'docker volume prune', usage: '[OPTIONS]', description: 'Remove unused local volumes', maxArgs: 0, flags: [f('all', 'bool', 'Remove all unused volumes, not just anonymous ones', 'a'), f('force', 'bool', 'Do not prompt for confirmation', 'f')] },
};

/** Aliases Docker keeps: docker container ls, docker image ls, docker container run... */
const ALIASES: Record<string, string> = {
  'container run': 'run', 'container create': 'create', 'container ls': 'ps', 'container list': 'ps', 'container ps': 'ps',
  'container start': 'start', 'container attach': 'attach', 'container exec': 'exec', 'container top': 'top', 'container stats': 'stats', 'image history': 'history', 'container stop': 'stop', 'container restart': 'restart', 'container kill': 'kill',
  'container rm': 'rm', 'container logs': 'logs', 'container inspect': 'inspect', 'container wait': 'wait',
  'image ls': 'images', 'image list': 'images', 'image pull': 'pull', 'image rm': 'rmi', 'image inspect': 'inspect',
  'image tag': 'tag', 'volume list': 'volume ls', 'network list': 'network ls', 'system info': 'info', 'image remove': 'rmi', 'container remove': 'rm',
};

const MAIN_USAGE = `
Usage:  docker [OPTIONS] COMMAND

A self-sufficient runtime for containers

Common Commands:
  run         Create and run a new container from an image
  exec        Execute a command in a running container
  ps          List containers
  pull        Download an image from a registry
  images      List images
  logs        Fetch the logs of a container
  inspect     Return low-level information on Docker objects
  version     Show the Docker version information
  info        Display system-wide information

Management Commands:
  container   Manage containers
  image       Manage images
  system      Manage Docker
  volume      Manage volumes
  compose*    Docker Compose

Commands:
  attach      Attach local standard input, output, and error streams to a running container
  create      Create a new container
  kill        Kill one or more running containers
  restart     Restart one or more containers
  rm          Remove one or more containers
  rmi         Remove one or more images
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

/** A failure the CLI reports and exits with. */
class CliError extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

interface Ctx {
  sys: Syscalls;
  client: Client;
  out: (s: string) => void;
  err: (s: string) => void;
}

/** Synchronous inside (see shimMain on QuickJS and rejected promises). */
export function dockerMain(argv: string[], sys: Syscalls): Promise<number> {
  try {
    return Promise.resolve(dockerRun(argv, sys));
  } catch (e) {
    writeAll(sys, 2, `${(e as Error).message}\n`);
    return Promise.resolve(1);
  }
}

function dockerRun(argv: string[], sys: Syscalls): number | Promise<number> {
  const out = (s: string): void => writeAll(sys, 1, s);
  const err = (s: string): void => writeAll(sys, 2, s);
  let args = [...argv];
  let host: string | undefined;
  while (args[0]?.startsWith('-')) {
    const a = args.shift()!;
    if (a === '-H' || a === '--host') host = args.shift();
    else if (a.startsWith('--host=')) host = a.slice(7);
    else if (a === '-v' || a === '--version') {
      out('Docker version 28.2.2, build whalebone\n');
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
    return import('../compose/main.ts').then((m) => m.composeMain(args.slice(1), sys, 'docker compose'));
  }
  let name = args[0]!;
  let rest = args.slice(1);
  const two = `${args[0]} ${args[1] ?? ''}`;
  if (SPECS[two] || ALIASES[two]) {
    name = ALIASES[two] ?? two;
    rest = args.slice(2);
  } else if (ALIASES[name]) name = ALIASES[name]!;
  const spec = SPECS[name];
  if (!spec) {
    err(`docker: unknown command: docker ${args.slice(0, ['container', 'image', 'volume', 'system', 'network'].includes(args[0]!) ? 2 : 1).join(' ')}\n\nRun 'docker --help' for more information\n`);
    return 1;
  }
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
    const r = COMMANDS[name]!(ctx, p);
    return typeof r === 'number' ? r : r.then(undefined, report);
  } catch (e) {
    return report(e);
  }
}

/** Docker's wording and exit code for a failed command. */
function reportError(e: unknown, name: string, spec: CommandSpec, err: (s: string) => void): number {
  {
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
    if (e instanceof CliError) {
      err(`${e.message}\n`);
      return e.code;
    }
    err(`${(e as Error).message}\n`);
    return 1;
  }
}

type Command = (c: Ctx, p: Parsed) => number | Promise<number>;

function pullImage(c: Ctx, ref: string, quiet: boolean): void {
  let r;
  try {
    r = parseRef(ref);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  if (!ref.includes(':') && !ref.includes('@') && !quiet) c.out('Using default tag: latest\n');
  const q = `fromImage=${encodeURIComponent(r.repo)}&tag=${encodeURIComponent(r.digest && !r.tag ? r.digest : (r.tag ?? 'latest'))}`;
  const { conn, res } = c.client.open('POST', `/images/create?${q}`, undefined, { Connection: 'close' });
  if (res.status >= 400) {
    let text = '';
    conn.readBody(res, (b) => (text += utf8Decode(b)));
    conn.close();
    throw new ApiResponseError(res.status, (JSON.parse(text) as { message: string }).message);
  }
  let pending = '';
  let failure: string | null = null;
  conn.readBody(res, (b) => {
    pending += utf8Decode(b);
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      const ev = JSON.parse(line) as { status?: string; id?: string; error?: string; progressDetail?: { current?: number } };
      if (ev.error) {
        failure = ev.error;
        continue;
      }
      // progress bars are for terminals only, as in Docker without a tty
      if (quiet || ev.progressDetail?.current !== undefined || ev.status === 'Downloading' || ev.status === 'Extracting') continue;
      c.out(ev.id ? `${ev.id}: ${ev.status}\n` : `${ev.status}\n`);
    }
  });
  conn.close();
  if (failure) throw new ApiResponseError(404, failure);
  c.out(`${canonical(r)}\n`);
}

function parseEnvFile(c: Ctx, path: string): string[] {
  let text: string;
  try {
    text = readText(c.sys, path);
  } catch {
    throw new CliError(`docker: open ${path}: no such file or directory\n\nRun 'docker run --help' for more information`, 125);
  }
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => (l.includes('=') ? l : `${l}=${c.sys.getenv(l) ?? ''}`));
}

function createBody(c: Ctx, p: Parsed, autoRemove: boolean): Record<string, unknown> {
  const [image, ...cmd] = p.args;
  const env = [...p.flags.list('env-file').flatMap((file) => parseEnvFile(c, file)), ...p.flags.list('env').map((e) => (e.includes('=') ? e : `${e}=${c.sys.getenv(e) ?? ''}`))];
  let memory = 0;
  if (p.flags.string('memory')) {
    try {
      memory = parseRamSize(p.flags.string('memory'));
    } catch (e) {
      throw new CliError(`invalid argument "${p.flags.string('memory')}" for "-m, --memory" flag: ${(e as Error).message}\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information`, 125);
    }
  }
  const labels: Record<string, string> = {};
  for (const l of p.flags.list('label')) {
    const i = l.indexOf('=');
    labels[i >= 0 ? l.slice(0, i) : l] = i >= 0 ? l.slice(i + 1) : '';
  }
  const tmpfs: Record<string, string> = {};
  for (const t of p.flags.list('tmpfs')) {
    const i = t.indexOf(':');
    tmpfs[i >= 0 ? t.slice(0, i) : t] = i >= 0 ? t.slice(i + 1) : '';
  }
  const mounts = p.flags.list('mount').map((m) => {
    const kv: Record<string, string> = {};
    for (const part of m.split(',')) {
      const [k, v] = part.split('=');
      kv[k!] = v ?? 'true';
    }
    return { Type: kv['type'] ?? 'volume', Source: kv['source'] ?? kv['src'], Target: kv['target'] ?? kv['destination'] ?? kv['dst'] ?? '', ReadOnly: kv['readonly'] === 'true' || kv['ro'] === 'true' };
  });
  const cpus = p.flags.string('cpus');
  const restart = p.flags.string('restart');
  const entry = p.flags.changed('entrypoint') ? (p.flags.string('entrypoint') ? [p.flags.string('entrypoint')] : []) : undefined;
  return {
    Image: image,
    Cmd: cmd.length ? cmd : null,
    Entrypoint: entry,
    Env: env,
    WorkingDir: p.flags.string('workdir'),
    User: p.flags.string('user') || undefined,
    Hostname: p.flags.string('hostname'),
    Tty: p.flags.bool('tty'),
    OpenStdin: p.flags.bool('interactive'),
    AttachStdout: true,
    AttachStderr: true,
    Labels: labels,
    StopSignal: p.flags.string('stop-signal') || undefined,
    StopTimeout: p.flags.changed('stop-timeout') ? p.flags.int('stop-timeout') : undefined,
    HostConfig: {
      Binds: p.flags.list('volume'),
      Mounts: mounts,
      Tmpfs: tmpfs,
      AutoRemove: autoRemove,
      Memory: memory,
      NanoCpus: cpus ? Math.round(Number(cpus) * 1e9) : 0,
      PidsLimit: p.flags.changed('pids-limit') ? p.flags.int('pids-limit') : null,
      Init: p.flags.bool('init') ? true : null,
      RestartPolicy: { Name: restart.split(':')[0] || 'no', MaximumRetryCount: Number(restart.split(':')[1] ?? 0) },
    },
  };
}

function createContainer(c: Ctx, p: Parsed, autoRemove: boolean, stdinOnce = false): string {
  const body = { ...createBody(c, p, autoRemove), AttachStdin: stdinOnce, StdinOnce: stdinOnce };
  const name = p.flags.string('name');
  const path = `/containers/create${name ? `?name=${encodeURIComponent(name)}` : ''}`;
  try {
    return c.client.call<{ Id: string }>('POST', path, body).Id;
  } catch (e) {
    if (!(e instanceof ApiResponseError) || e.status !== 404 || !e.message.startsWith('No such image')) throw e;
    const ref = parseRef(p.args[0]!);
    c.err(`Unable to find image '${ref.repo}:${ref.tag ?? 'latest'}' locally\n`);
    // pull progress goes to stderr for run, as Docker does
    pullImage({ ...c, out: c.err }, p.args[0]!, false);
    return c.client.call<{ Id: string }>('POST', path, body).Id;
  }
}

interface AttachMode {
  tty: boolean;
  stdin: boolean;
  detachKeys: string;
}

/** Detach keys as bytes, or Docker's error for a bad --detach-keys. */
function detachBytes(spec: string): number[] {
  try {
    return parseDetachKeys(spec || DEFAULT_DETACH_KEYS);
  } catch (e) {
    throw new CliError((e as Error).message, 125);
  }
}

/** A hijacked connection (attach, exec start): 101 expected, the error body otherwise. */
function hijack(c: Ctx, path: string, body?: unknown): Connection {
  const { conn, res } = c.client.open('POST', path, body, { Connection: 'Upgrade', Upgrade: 'tcp' });
  if (res.status === 101 || res.status === 200) return conn;
  let text = '';
  conn.readBody(res, (b) => (text += utf8Decode(b)));
  conn.close();
  let msg = text.trim();
  try {
    msg = (JSON.parse(text) as { message: string }).message;
  } catch {
    // plain text
  }
  throw new ApiResponseError(res.status, msg);
}

/**
 * Streams a hijacked connection with our terminal in raw mode when there is a tty, restoring it
 * on every way out. Resolves to how it ended.
 */
function interact(c: Ctx, conn: Connection, m: AttachMode, keys: number[], resize: ((h: number, w: number) => void) | undefined, signal?: (sig: number) => void): Promise<'ended' | 'detached'> {
  const restore = m.tty && m.stdin && c.sys.isatty(0) ? rawMode(c.sys, 0) : () => {};
  let p: Promise<'ended' | 'detached'>;
  try {
    if (m.tty && resize) sendSize(c.sys, resize);
    p = pump(c.sys, conn, { tty: m.tty, stdin: m.stdin, detachKeys: keys, resize, signal });
  } catch (e) {
    restore();
    throw e;
  }
  return p.then((how) => {
    restore();
    conn.close();
    return how;
  });
}

/** Attaches, starts and streams a container; resolves to its exit code (0 when detached). */
function runAttached(c: Ctx, id: string, m: AttachMode): number | Promise<number> {
  const keys = detachBytes(m.detachKeys);
  const ref = encodeURIComponent(id);
  const att = hijack(c, `/containers/${ref}/attach?stream=1&stdout=1&stderr=1${m.stdin ? '&stdin=1' : ''}${m.detachKeys ? `&detachKeys=${encodeURIComponent(m.detachKeys)}` : ''}`);
  const waiter = c.client.open('POST', `/containers/${ref}/wait?condition=next-exit`);
  try {
    c.client.call('POST', `/containers/${ref}/start`);
  } catch (e) {
    att.close();
    waiter.conn.close();
    throw e;
  }
  const resize = resizer(c, ref);
  const signal = signaller(c, ref);
  return interact(c, att, m, keys, resize, signal).then((how) => {
    if (how === 'detached') {
      waiter.conn.close();
      return 0;
    }
    return waitResult(waiter).StatusCode;
  });
}

/** docker exec: create the exec instance, start it (hijacked or detached), report its exit code. */
function execCommand(c: Ctx, p: Parsed): number | Promise<number> {
  const [container, ...cmd] = p.args;
  const detach = p.flags.bool('detach');
  const m: AttachMode = { tty: p.flags.bool('tty'), stdin: p.flags.bool('interactive') && !detach, detachKeys: p.flags.string('detach-keys') };
  if (m.tty && m.stdin && !c.sys.isatty(0)) throw new CliError('the input device is not a TTY', 1);
  const keys = detachBytes(m.detachKeys);
  const env = [...p.flags.list('env-file').flatMap((file) => parseEnvFile(c, file)), ...p.flags.list('env').map((e) => (e.includes('=') ? e : `${e}=${c.sys.getenv(e) ?? ''}`))];
  const created = c.client.call<{ Id: string }>('POST', `/containers/${encodeURIComponent(container!)}/exec`, {
    AttachStdin: m.stdin, AttachStdout: !detach, AttachStderr: !detach, Tty: m.tty, Env: env, Cmd: cmd,
    User: p.flags.string('user'), WorkingDir: p.flags.string('workdir'), Privileged: p.flags.bool('privileged'),
    ...(m.detachKeys ? { DetachKeys: m.detachKeys } : {}),
  });
  const id = created.Id;
  if (detach) {
    c.client.call('POST', `/exec/${id}/start`, { Detach: true, Tty: m.tty });
    return 0;
  }
  const conn = hijack(c, `/exec/${id}/start`, { Detach: false, Tty: m.tty });
  const resize = (h: number, w: number): void => {
    try {
      c.client.call('POST', `/exec/${id}/resize?h=${h}&w=${w}`);
    } catch {
      // ended
    }
  };
  return interact(c, conn, m, keys, resize).then((how) => {
    if (how === 'detached') return 0;
    // the shim reports the exit just after the stream ends: ask until it is in
    for (let i = 0; i < 100; i++) {
      const r = c.client.call<{ Running: boolean; ExitCode: number | null }>('GET', `/exec/${id}/json`);
      if (!r.Running && r.ExitCode !== null) return r.ExitCode;
      c.sys.poll([], 20);
    }
    return 0;
  });
}

interface AttachTarget {
  Config: { Tty: boolean; OpenStdin: boolean };
  State: { Running: boolean; Paused: boolean; Restarting: boolean };
}

/** Resizes the container's terminal through the API; a container that ended meanwhile is no error. */
function resizer(c: Ctx, ref: string): (h: number, w: number) => void {
  return (h, w) => {
    try {
      c.client.call('POST', `/containers/${ref}/resize?h=${h}&w=${w}`);
    } catch {
      // the container ended
    }
  };
}

/** Sends a signal to the container through the API; a container that ended meanwhile is no error. */
function signaller(c: Ctx, ref: string): (sig: number) => void {
  return (sig) => {
    try {
      c.client.call('POST', `/containers/${ref}/kill?signal=${sig}`);
    } catch {
      // not running any more
    }
  };
}

/** The answer of a wait request opened before the container ran (read once it has ended). */
function waitResult(waiter: ReturnType<Ctx['client']['open']>): { StatusCode: number; Error?: { Message: string } | null } {
  let text = '';
  waiter.conn.readBody(waiter.res, (b) => (text += utf8Decode(b)));
  waiter.conn.close();
  return JSON.parse(text || '{"StatusCode":0}') as { StatusCode: number; Error?: { Message: string } | null };
}

/** The container, when it can be attached to (Docker checks this on the client side). */
function attachable(c: Ctx, ref: string): AttachTarget {
  const t = c.client.call<AttachTarget>('GET', `/containers/${ref}/json`);
  if (!t.State.Running) throw new CliError('You cannot attach to a stopped container, start it first');
  if (t.State.Paused) throw new CliError('You cannot attach to a paused container, unpause it first');
  if (t.State.Restarting) throw new CliError('You cannot attach to a restarting container, wait until it is running');
  return t;
}

/**
 * docker attach: our stdio on the running container's (raw with its tty, else demultiplexed),
 * Ctrl-P Ctrl-Q (or --detach-keys) leaves it running, signals forwarded without a tty unless
 * --sig-proxy=false; ends with the container's exit code.
 */
function attachCommand(c: Ctx, p: Parsed): number | Promise<number> {
  const ref = encodeURIComponent(p.args[0]!);
  const keysSpec = p.flags.string('detach-keys');
  const keys = detachBytes(keysSpec);
  // the wait goes first, as Docker's does, so an exit right after the attach is not missed
  const waiter = c.client.open('POST', `/containers/${ref}/wait`);
  let att: Connection | null = null;
  let m: AttachMode;
  try {
    const t = attachable(c, ref);
    if (t.Config.Tty && !p.flags.bool('no-stdin') && !c.sys.isatty(0)) throw new CliError('the input device is not a TTY', 1);
    m = { tty: t.Config.Tty, stdin: !p.flags.bool('no-stdin') && t.Config.OpenStdin, detachKeys: keysSpec };
    att = hijack(c, `/containers/${ref}/attach?stream=1&stdout=1&stderr=1${m.stdin ? '&stdin=1' : ''}${keysSpec ? `&detachKeys=${encodeURIComponent(keysSpec)}` : ''}`);
    // it may have ended between the check and the attach: an attach to it would wait forever
    attachable(c, ref);
  } catch (e) {
    att?.close();
    waiter.conn.close();
    throw e;
  }
  const resize = resizer(c, ref);
  if (m.tty && c.sys.isatty(1)) {
    // one size off first, then the real one (interact sends it): the change makes the program
    // redraw, so a shell shows its prompt again on every attach, as with Docker
    try {
      const ws = c.sys.getWinsize(1);
      if (ws.rows > 0 && ws.cols > 0) resize(ws.rows + 1, ws.cols + 1);
    } catch {
      // no size known
    }
  }
  const signal = signaller(c, ref);
  const proxy = p.flags.bool('sig-proxy') && !m.tty;
  return interact(c, att, m, keys, m.tty && c.sys.isatty(1) ? resize : undefined, proxy ? signal : undefined).then((how) => {
    if (how === 'detached') {
      waiter.conn.close();
      throw new CliError('read escape sequence', 1);
    }
    const r = waitResult(waiter);
    if (r.Error?.Message) throw new CliError(r.Error.Message, 1);
    return r.StatusCode;
  });
}

function parseSummary<T>(c: Ctx, path: string): T {
  return c.client.call<T>('GET', path);
}

const COMMANDS: Record<string, Command> = {
  exec: execCommand,
  attach: attachCommand,
  top: (c, p) => {
    const [name, ...psArgs] = p.args;
    const r = c.client.call<{ Titles: string[]; Processes: string[][] }>('GET', `/containers/${encodeURIComponent(name!)}/top${psArgs.length ? `?ps_args=${encodeURIComponent(psArgs.join(' '))}` : ''}`);
    c.out(formatTable([r.Titles, ...r.Processes].map((row) => row.join('\t')).join('\n') + '\n', { minWidth: 20, padding: 3 }));
    return 0;
  },
  stats: (c, p) => {
    const all = p.flags.bool('all');
    let names = p.args;
    if (names.length === 0) names = c.client.call<{ Id: string }[]>('GET', `/containers/json?all=${all ? 1 : 0}`).map((x) => x.Id);
    const sample = (): string => {
      const rows: string[] = [];
      let failed: string | null = null;
      for (const n of names) {
        try {
          rows.push(statsRow(c.client.call<StatsJson>('GET', `/containers/${encodeURIComponent(n)}/stats?stream=false`), p.flags.bool('no-trunc')));
        } catch (e) {
          if (!(e instanceof ApiResponseError)) throw e;
          failed = e.message;
        }
      }
      if (failed !== null && rows.length === 0) throw new ApiResponseError(404, failed);
      return formatTable([STATS_HEADER, ...rows].join('\n') + '\n');
    };
    if (p.flags.bool('no-stream')) {
      c.out(sample());
      return 0;
    }
    // streaming: redraw every reading (each takes a second) until interrupted
    for (;;) c.out(`\x1b[2J\x1b[H${sample()}`);
  },
  history: (c, p) => {
    const items = c.client.call<HistoryItem[]>('GET', `/images/${encodeURIComponent(p.args[0]!)}/history`);
    const now = Date.now();
    const trunc = !p.flags.bool('no-trunc');
    const rows = items.map((h) => historyRow(h, ago(h.Created, now), trunc, p.flags.bool('human')));
    if (p.flags.bool('quiet')) c.out(rows.map((r) => `${r['ID']}\n`).join(''));
    else if (p.flags.string('format')) c.out(renderTemplate(p.flags.string('format'), rows, (k) => ({ ID: 'IMAGE', CreatedSince: 'CREATED', CreatedBy: 'CREATED BY' })[k] ?? k.toUpperCase()));
    else c.out(formatTable(['IMAGE\tCREATED\tCREATED BY\tSIZE\tCOMMENT', ...rows.map((r) => [r['ID'], r['CreatedSince'], r['CreatedBy'], r['Size'], r['Comment']].join('\t'))].join('\n') + '\n'));
    return 0;
  },
  'system df': (c, p) => {
    const d = c.client.call<DiskUsage>('GET', '/system/df');
    if (p.flags.string('format')) {
      c.out(renderTemplate(p.flags.string('format'), [d]));
      return 0;
    }
    c.out(formatTable(dfRows(d)));
    return 0;
  },
  pull: (c, p) => {
    pullImage(c, p.args[0]!, p.flags.bool('quiet'));
    return 0;
  },
  create: (c, p) => {
    c.out(`${createContainer(c, p, false)}\n`);
    return 0;
  },
  run: (c, p) => {
    const m: AttachMode = { tty: p.flags.bool('tty'), stdin: p.flags.bool('interactive'), detachKeys: p.flags.string('detach-keys') };
    if (m.tty && m.stdin && !p.flags.bool('detach') && !c.sys.isatty(0)) throw new CliError('the input device is not a TTY', 1);
    detachBytes(m.detachKeys);
    if (p.flags.bool('rm') && !['', 'no'].includes(p.flags.string('restart'))) throw new CliError("docker: Conflicting options: --restart and --rm.\n\nRun 'docker run --help' for more information", 125);
    const id = createContainer(c, p, p.flags.bool('rm'), m.stdin && !p.flags.bool('detach'));
    if (p.flags.bool('detach')) {
      c.client.call('POST', `/containers/${id}/start`);
      c.out(`${id}\n`);
      return 0;
    }
    return runAttached(c, id, m);
  },
  start: (c, p) => {
    let failed = false;
    for (const name of p.args) {
      try {
        if (p.flags.bool('attach') || p.flags.bool('interactive')) {
          const info = c.client.call<{ Config: { Tty: boolean; OpenStdin: boolean } }>('GET', `/containers/${encodeURIComponent(name)}/json`);
          const m: AttachMode = { tty: info.Config.Tty, stdin: p.flags.bool('interactive') && info.Config.OpenStdin, detachKeys: p.flags.string('detach-keys') };
          if (m.tty && m.stdin && !c.sys.isatty(0)) throw new CliError('the input device is not a TTY', 1);
          return runAttached(c, name, m);
        }
        c.client.call('POST', `/containers/${encodeURIComponent(name)}/start`);
        c.out(`${name}\n`);
      } catch (e) {
        if (!(e instanceof ApiResponseError)) throw e;
        c.err(`Error response from daemon: ${e.message}\n`);
        failed = true;
      }
    }
    if (failed) {
      c.err(`Error: failed to start containers: ${p.args.join(', ')}\n`);
      return 1;
    }
    return 0;
  },
  stop: (c, p) => eachContainer(c, p, (n) => c.client.call('POST', `/containers/${n}/stop${p.flags.int('time') >= 0 ? `?t=${p.flags.int('time')}` : ''}${p.flags.string('signal') ? `${p.flags.int('time') >= 0 ? '&' : '?'}signal=${p.flags.string('signal')}` : ''}`)),
  restart: (c, p) => eachContainer(c, p, (n) => c.client.call('POST', `/containers/${n}/restart${p.flags.int('time') >= 0 ? `?t=${p.flags.int('time')}` : ''}`)),
  kill: (c, p) => eachContainer(c, p, (n) => c.client.call('POST', `/containers/${n}/kill${p.flags.string('signal') ? `?signal=${p.flags.string('signal')}` : ''}`)),
  rm: (c, p) => eachContainer(c, p, (n) => c.client.call('DELETE', `/containers/${n}?force=${p.flags.bool('force') ? 1 : 0}&v=${p.flags.bool('volumes') ? 1 : 0}`)),
  wait: (c, p) => eachContainer(c, p, (n) => {
    const r = c.client.call<{ StatusCode: number }>('POST', `/containers/${n}/wait`);
    return String(r.StatusCode);
  }),
  ps: (c, p) => {
    const filters: Record<string, string[]> = {};
    for (const fl of p.flags.list('filter')) {
      const i = fl.indexOf('=');
      (filters[fl.slice(0, i)] ??= []).push(fl.slice(i + 1));
    }
    const all = p.flags.bool('all') || p.flags.int('last') > 0 || p.flags.bool('latest');
    let list = parseSummary<ContainerSummary[]>(c, `/containers/json?all=${all ? 1 : 0}${Object.keys(filters).length ? `&filters=${encodeURIComponent(JSON.stringify(filters))}` : ''}`);
    if (p.flags.bool('latest')) list = list.slice(0, 1);
    if (p.flags.int('last') > 0) list = list.slice(0, p.flags.int('last'));
    const now = Date.now();
    const noTrunc = p.flags.bool('no-trunc');
    if (p.flags.bool('quiet')) c.out(list.map((x) => `${noTrunc ? x.Id : x.Id.slice(0, 12)}\n`).join(''));
    else if (p.flags.string('format')) c.out(renderTemplate(p.flags.string('format'), list.map((x) => psRow(x, now, noTrunc)), (k) => PS_HEADERS[k] ?? k.toUpperCase()));
    else c.out(psTable(list, now, noTrunc));
    return 0;
  },
  images: (c, p) => {
    let list = parseSummary<ImageSummary[]>(c, `/images/json?all=${p.flags.bool('all') ? 1 : 0}`);
    if (p.args[0]) {
      const [repo, tag] = p.args[0].split(':');
      list = list.filter((i) => i.RepoTags.some((t) => t.split(':')[0] === repo && (!tag || t.split(':')[1] === tag)));
    }
    const now = Date.now();
    const noTrunc = p.flags.bool('no-trunc');
    if (p.flags.bool('quiet')) c.out([...new Set(list.map((i) => (noTrunc ? i.Id : i.Id.slice(7, 19))))].map((x) => `${x}\n`).join(''));
    else if (p.flags.string('format')) c.out(renderTemplate(p.flags.string('format'), imageRows(list, now, noTrunc), (k) => ({ ID: 'IMAGE ID', CreatedSince: 'CREATED' })[k] ?? k.toUpperCase()));
    else c.out(imagesTable(list, now, noTrunc));
    return 0;
  },
  rmi: (c, p) => {
    let code = 0;
    for (const n of p.args) {
      try {
        const r = c.client.call<{ Untagged?: string; Deleted?: string }[]>('DELETE', `/images/${encodeURIComponent(n)}?force=${p.flags.bool('force') ? 1 : 0}`);
        for (const x of r) c.out(x.Untagged ? `Untagged: ${x.Untagged}\n` : `Deleted: ${x.Deleted}\n`);
      } catch (e) {
        if (!(e instanceof ApiResponseError)) throw e;
        c.err(`Error response from daemon: ${e.message}\n`);
        code = 1;
      }
    }
    return code;
  },
  tag: (c, p) => {
    const target = parseRef(p.args[1]!);
    c.client.call('POST', `/images/${encodeURIComponent(p.args[0]!)}/tag?repo=${encodeURIComponent(target.repo)}&tag=${encodeURIComponent(target.tag ?? 'latest')}`);
    return 0;
  },
  logs: (c, p) => {
    const q = `stdout=1&stderr=1&follow=${p.flags.bool('follow') ? 1 : 0}&tail=${encodeURIComponent(p.flags.string('tail'))}&timestamps=${p.flags.bool('timestamps') ? 1 : 0}`;
    const info = c.client.call<{ Config: { Tty: boolean } }>('GET', `/containers/${encodeURIComponent(p.args[0]!)}/json`);
    const { conn, res } = c.client.open('GET', `/containers/${encodeURIComponent(p.args[0]!)}/logs?${q}`, undefined, { Connection: 'close' });
    if (res.status >= 400) throw new ApiResponseError(res.status, 'logs failed');
    const demux = new Demuxer((stream, data) => writeAll(c.sys, stream === 2 ? 2 : 1, data));
    conn.readBody(res, (b) => (info.Config.Tty ? writeAll(c.sys, 1, b) : demux.push(b)));
    conn.close();
    return 0;
  },
  inspect: (c, p) => {
    const items: unknown[] = [];
    let code = 0;
    const type = p.flags.string('type');
    for (const n of p.args) {
      const tries = type === 'container' ? ['containers'] : type === 'image' ? ['images'] : type === 'volume' ? ['volumes'] : ['containers', 'images', 'volumes'];
      let found = false;
      for (const t of tries) {
        try {
          items.push(c.client.call('GET', t === 'volumes' ? `/volumes/${encodeURIComponent(n)}` : `/${t}/${encodeURIComponent(n)}/json${p.flags.bool('size') ? '?size=1' : ''}`));
          found = true;
          break;
        } catch (e) {
          if (!(e instanceof ApiResponseError) || e.status !== 404) throw e;
        }
      }
      if (!found) {
        c.err(`Error: No such object: ${n}\n`);
        code = 1;
      }
    }
    if (p.flags.string('format')) c.out(renderTemplate(p.flags.string('format'), items));
    else c.out(inspectJson(items));
    return code;
  },
  version: (c, p) => {
    const client = `Client:\n Version:           28.2.2\n API version:       1.45\n Go version:        quickjs\n Git commit:        whalebone\n Built:             \n OS/Arch:           linux/386\n Context:           default\n`;
    let v: { Version: string; ApiVersion: string; MinAPIVersion: string; GitCommit: string; GoVersion: string; Os: string; Arch: string; Components?: { Name: string; Version: string }[] };
    try {
      v = c.client.call('GET', '/version');
    } catch (e) {
      c.out(client);
      throw e;
    }
    if (p.flags.string('format')) {
      c.out(renderTemplate(p.flags.string('format'), [{ Client: { Version: '28.2.2', ApiVersion: '1.45' }, Server: v }]));
      return 0;
    }
    c.out(`${client}\nServer: Whalebone Engine\n Engine:\n  Version:          ${v.Version}\n  API version:      ${v.ApiVersion} (minimum version ${v.MinAPIVersion})\n  Go version:       ${v.GoVersion}\n  Git commit:       ${v.GitCommit}\n  OS/Arch:          ${v.Os}/${v.Arch}\n${(v.Components ?? []).filter((x) => x.Name !== 'Engine').map((x) => ` ${x.Name}:\n  Version:          ${x.Version}\n`).join('')}`);
    return 0;
  },
  info: (c, p) => {
    const i = c.client.call<Record<string, unknown>>('GET', '/info');
    if (p.flags.string('format')) {
      c.out(renderTemplate(p.flags.string('format'), [i]));
      return 0;
    }
    c.out(`Client:\n Version:    28.2.2\n Context:    default\n\nServer:\n Containers: ${i['Containers']}\n  Running: ${i['ContainersRunning']}\n  Paused: ${i['ContainersPaused']}\n  Stopped: ${i['ContainersStopped']}\n Images: ${i['Images']}\n Server Version: ${i['ServerVersion']}\n Storage Driver: ${i['Driver']}\n Logging Driver: ${i['LoggingDriver']}\n Cgroup Driver: ${i['CgroupDriver']}\n Cgroup Version: ${i['CgroupVersion']}\n Runtimes: runc\n Default Runtime: runc\n Kernel Version: ${i['KernelVersion']}\n Operating System: ${i['OperatingSystem']}\n OSType: ${i['OSType']}\n Architecture: ${i['Architecture']}\n CPUs: ${i['NCPU']}\n Total Memory: ${humanSize(Number(i['MemTotal']))}\n Name: ${i['Name']}\n Docker Root Dir: ${i['DockerRootDir']}\n`);
    return 0;
  },
  'system prune': (c, p) => {
    const all = p.flags.bool('all');
    const vols = p.flags.bool('volumes');
    const warn = `WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n${vols ? '  - all anonymous volumes not used by at least one container\n' : ''}${all ? '  - all images without at least one container associated to them\n' : '  - all dangling images\n'}  - unused build cache\n`;
    if (!p.flags.bool('force') && !confirm(c, warn)) return 0;
    let space = 0;
    const cs = c.client.call<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>('POST', '/containers/prune');
    if (cs.ContainersDeleted?.length) c.out(`Deleted Containers:\n${cs.ContainersDeleted.join('\n')}\n\n`);
    space += cs.SpaceReclaimed;
    if (vols) {
      const vs = c.client.call<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }>('POST', '/volumes/prune');
      if (vs.VolumesDeleted?.length) c.out(`Deleted Volumes:\n${vs.VolumesDeleted.join('\n')}\n\n`);
      space += vs.SpaceReclaimed;
    }
    c.client.call('POST', '/networks/prune');
    const is = c.client.call<{ ImagesDeleted: { Untagged?: string; Deleted?: string }[] | null; SpaceReclaimed: number }>('POST', `/images/prune?filters=${encodeURIComponent(JSON.stringify({ dangling: [all ? 'false' : 'true'] }))}`);
    if (is.ImagesDeleted?.length) c.out(`Deleted Images:\n${is.ImagesDeleted.map((x) => (x.Untagged ? `untagged: ${x.Untagged}` : `deleted: ${x.Deleted}`)).join('\n')}\n\n`);
    space += is.SpaceReclaimed;
    c.out(`Total reclaimed space: ${humanSize(space)}\n`);
    return 0;
  },
  'container prune': (c, p) => {
    if (!p.flags.bool('force') && !confirm(c, 'WARNING! This will remove all stopped containers.\n')) return 0;
    const cs = c.client.call<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>('POST', '/containers/prune');
    if (cs.ContainersDeleted?.length) c.out(`Deleted Containers:\n${cs.ContainersDeleted.join('\n')}\n\n`);
    c.out(`Total reclaimed space: ${humanSize(cs.SpaceReclaimed)}\n`);
    return 0;
  },
  'image prune': (c, p) => {
    const all = p.flags.bool('all');
    if (!p.flags.bool('force') && !confirm(c, all ? 'WARNING! This will remove all images without at least one container associated to them.\n' : 'WARNING! This will remove all dangling images.\n')) return 0;
    const is = c.client.call<{ ImagesDeleted: { Untagged?: string; Deleted?: string }[] | null; SpaceReclaimed: number }>('POST', `/images/prune?filters=${encodeURIComponent(JSON.stringify({ dangling: [all ? 'false' : 'true'] }))}`);
    if (is.ImagesDeleted?.length) c.out(`Deleted Images:\n${is.ImagesDeleted.map((x) => (x.Untagged ? `untagged: ${x.Untagged}` : `deleted: ${x.Deleted}`)).join('\n')}\n\n`);
    c.out(`Total reclaimed space: ${humanSize(is.SpaceReclaimed)}\n`);
    return 0;
  },
  'volume create': (c, p) => {
    const v = c.client.call<{ Name: string }>('POST', '/volumes/create', { Name: p.args[0] ?? p.flags.string('name') });
    c.out(`${v.Name}\n`);
    return 0;
  },
  'network ls': (c, p) => {
    const nets = c.client.call<{ Id: string; Name: string; Driver: string; Scope: string }[]>('GET', '/networks');
    const id = (n: { Id: string }): string => (p.flags.bool('no-trunc') ? n.Id : n.Id.slice(0, 12));
    if (p.flags.bool('quiet')) c.out(nets.map((n) => `${id(n)}\n`).join(''));
    else if (p.flags.string('format')) c.out(renderTemplate(p.flags.string('format'), nets.map((n) => ({ ...n, ID: id(n) }))));
    else c.out(table([['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'], ...nets.map((n) => [id(n), n.Name, n.Driver, n.Scope])]));
    return 0;
  },
  'volume ls': (c, p) => {
    const r = c.client.call<{ Volumes: { Name: string; Driver: string }[] }>('GET', '/volumes');
    if (p.flags.bool('quiet')) c.out(r.Volumes.map((v) => `${v.Name}\n`).join(''));
    else if (p.flags.string('format')) c.out(renderTemplate(p.flags.string('format'), r.Volumes));
    else c.out(['DRIVER    VOLUME NAME', ...r.Volumes.map((v) => `${v.Driver.padEnd(10)}${v.Name}`)].join('\n') + '\n');
    return 0;
  },
  'volume rm': (c, p) => eachContainer(c, p, (n) => c.client.call('DELETE', `/volumes/${n}?force=${p.flags.bool('force') ? 1 : 0}`)),
  'volume inspect': (c, p) => {
    const items = p.args.map((n) => c.client.call('GET', `/volumes/${encodeURIComponent(n)}`));
    c.out(p.flags.string('format') ? renderTemplate(p.flags.string('format'), items) : inspectJson(items));
    return 0;
  },
  'volume prune': (c, p) => {
    if (!p.flags.bool('force') && !confirm(c, 'WARNING! This will remove anonymous local volumes not used by at least one container.\n')) return 0;
    const vs = c.client.call<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }>('POST', `/volumes/prune${p.flags.bool('all') ? `?filters=${encodeURIComponent('{"all":["true"]}')}` : ''}`);
    if (vs.VolumesDeleted?.length) c.out(`Deleted Volumes:\n${vs.VolumesDeleted.join('\n')}\n\n`);
    c.out(`Total reclaimed space: ${humanSize(vs.SpaceReclaimed)}\n`);
    return 0;
  },
};

/** Runs fn for each argument, printing the argument (or fn's result) or Docker's error. */
function eachContainer(c: Ctx, p: Parsed, fn: (name: string) => unknown): number {
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

function confirm(c: Ctx, warning: string): boolean {
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

