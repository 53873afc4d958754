// The `runc` command line: global --root, then create/start/state/kill/delete/run/exec/spec/list.

import type { Syscalls } from '../sys/syscalls.ts';
import { SIGNALS, SIGTERM } from '../sys/constants.ts';
import { writeAll } from '../sys/io.ts';
import { exists, readText, writeFileAtomic } from '../util/fsutil.ts';
import { parseFlags, UsageError, type CommandSpec, type FlagSpec } from '../util/flags.ts';
import { resolve } from '../util/path.ts';
import { table } from '../util/tabwriter.ts';
import { Runtime, RuntimeError, type CreateOptions } from './runtime.ts';
import { relayTerminal, sendConsole } from './console.ts';
import { runcDefaultSpec, type OciProcess } from './spec.ts';
import { DEFAULT_ROOT, stateJson } from './state.ts';

export const RUNC_VERSION = 'runc version 1.1.12-whalebone\ncommit: whalebone\nspec: 1.0.2-dev\n';

/** Parses a signal as runc takes it: 9, KILL, SIGKILL. */
export function parseSignal(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  const name = s.toUpperCase().startsWith('SIG') ? s.toUpperCase() : `SIG${s.toUpperCase()}`;
  const n = SIGNALS[name];
  if (n === undefined) throw new RuntimeError(`unknown signal "${s}"`);
  return n;
}

const bundleFlag: FlagSpec = { name: 'bundle', short: 'b', kind: 'string', help: 'path to the root of the bundle directory', valueName: 'value', default: '.' };
const pidFileFlag: FlagSpec = { name: 'pid-file', kind: 'string', help: 'specify the file to write the process id to', valueName: 'value' };
const consoleSocketFlag: FlagSpec = { name: 'console-socket', kind: 'string', help: 'path to an AF_UNIX socket that receives the master of the container\'s pty (process.terminal)', valueName: 'value' };
const ignored = (name: string, kind: 'bool' | 'string' | 'int' = 'bool'): FlagSpec => ({ name, kind, help: 'accepted for compatibility', hidden: true });

const COMMANDS: Record<string, CommandSpec> = {
  create: { path: 'runc create', usage: '[command options] <container-id>', description: 'create a container', minArgs: 1, maxArgs: 1, flags: [bundleFlag, pidFileFlag, consoleSocketFlag, ignored('no-pivot'), ignored('no-new-keyring'), ignored('preserve-fds', 'int')] },
  start: { path: 'runc start', usage: '<container-id>', description: 'executes the user defined process in a created container', minArgs: 1, maxArgs: 1, flags: [] },
  run: { path: 'runc run', usage: '[command options] <container-id>', description: 'create and run a container', minArgs: 1, maxArgs: 1, flags: [bundleFlag, pidFileFlag, { name: 'detach', short: 'd', kind: 'bool', help: 'detach from the container\'s process' }, consoleSocketFlag, ignored('no-pivot'), ignored('no-new-keyring'), ignored('preserve-fds', 'int')] },
  state: { path: 'runc state', usage: '<container-id>', description: 'output the state of a container', minArgs: 1, maxArgs: 1, flags: [] },
  kill: { path: 'runc kill', usage: '[command options] <container-id> [signal]', description: 'kill sends the specified signal (default: SIGTERM) to the container\'s init process', minArgs: 1, maxArgs: 2, flags: [{ name: 'all', short: 'a', kind: 'bool', help: 'send the specified signal to all processes inside the container' }] },
  delete: { path: 'runc delete', usage: '[command options] <container-id>', description: 'delete any resources held by the container often used with detached container', minArgs: 1, maxArgs: 1, flags: [{ name: 'force', short: 'f', kind: 'bool', help: 'Forcibly deletes the container if it is still running (uses SIGKILL)' }] },
  list: { path: 'runc list', usage: '[command options]', description: 'lists containers started by runc with the given root', maxArgs: 0, flags: [{ name: 'quiet', short: 'q', kind: 'bool', help: 'display only container IDs' }, { name: 'format', short: 'f', kind: 'string', help: 'select one of: table or json', default: 'table', valueName: 'value' }] },
  spec: { path: 'runc spec', usage: '[command options]', description: 'create a new specification file', maxArgs: 0, flags: [bundleFlag, ignored('rootless')] },
  exec: { path: 'runc exec', usage: '[command options] <container-id> <command> [command options]', description: 'execute new process inside the container', minArgs: 1, interspersed: false, flags: [
    { name: 'detach', short: 'd', kind: 'bool', help: 'detach from the container\'s process' },
    { name: 'tty', short: 't', kind: 'bool', help: 'allocate a pseudo-TTY' },
    { name: 'env', short: 'e', kind: 'list', help: 'set environment variables', valueName: 'value' },
    { name: 'cwd', kind: 'string', help: 'current working directory in the container', valueName: 'value' },
    { name: 'user', short: 'u', kind: 'string', help: 'UID (format: <uid>[:<gid>])', valueName: 'value' },
    { name: 'process', short: 'p', kind: 'string', help: 'path to the process.json', valueName: 'value' },
    pidFileFlag,
  ] },
};

const GLOBAL: CommandSpec = {
  path: 'runc',
  usage: '[global options] command [command options] [arguments...]',
  description: 'Open Container Initiative runtime',
  interspersed: false,
  flags: [
    { name: 'root', kind: 'string', help: 'root directory for storage of container state', default: DEFAULT_ROOT, valueName: 'value' },
    { name: 'log', kind: 'string', help: 'set the log file to write runc logs to', valueName: 'value' },
    { name: 'log-format', kind: 'string', help: 'set the log format (text or json)', valueName: 'value' },
    { name: 'debug', kind: 'bool', help: 'enable debug logging' },
    { name: 'systemd-cgroup', kind: 'bool', help: 'not supported: cgroupfs only' },
    { name: 'version', short: 'v', kind: 'bool', help: 'print the version' },
  ],
};

export async function runcMain(argv: string[], sys: Syscalls): Promise<number> {
  const out = (s: string): void => writeAll(sys, 1, s);
  const err = (s: string): void => writeAll(sys, 2, s);
  let cmd = '';
  try {
    const g = parseFlags(GLOBAL, argv);
    if (g.flags.bool('version') || g.args[0] === 'version') {
      out(RUNC_VERSION);
      return 0;
    }
    cmd = g.args[0] ?? '';
    const spec = COMMANDS[cmd];
    if (g.help || !spec) {
      if (cmd && !spec) {
        err(`No help topic for '${cmd}'\n`);
        return 1;
      }
      out(`NAME:\n   runc - Open Container Initiative runtime\n\nUSAGE:\n   runc ${GLOBAL.usage}\n\nCOMMANDS:\n${Object.entries(COMMANDS).map(([n, c]) => `   ${n.padEnd(8)} ${c.description}`).join('\n')}\n`);
      return g.help ? 0 : 1;
    }
    const p = parseFlags(spec, g.args.slice(1));
    const rt = new Runtime(sys, { root: g.flags.string('root') });
    const cwd = sys.getcwd();
    const id = p.args[0] ?? '';
    switch (cmd) {
      case 'spec': {
        const path = `${resolve(cwd, p.flags.string('bundle'))}/config.json`;
        if (exists(sys, path)) throw new RuntimeError('File config.json exists. Remove it first');
        writeFileAtomic(sys, path, JSON.stringify(runcDefaultSpec(), null, '\t'));
        return 0;
      }
      case 'create':
      case 'run': {
        const opts: CreateOptions = { id, bundle: resolve(cwd, p.flags.string('bundle')), pidFile: p.flags.string('pid-file') || undefined };
        const socket = p.flags.string('console-socket');
        if (socket) {
          // the socket's owner (containerd's shim, for one) relays the terminal
          opts.onConsole = (m) => {
            sendConsole(sys, resolve(cwd, socket), m);
            sys.close(m);
          };
          if (cmd === 'create') {
            rt.create(opts);
            return 0;
          }
          return rt.run(opts, p.flags.bool('detach'));
        }
        if (cmd === 'create' || p.flags.bool('detach')) {
          // detached, with no console socket to hand a pty to: the caller's tty becomes the
          // container's (real runc refuses a terminal here)
          opts.consolePath = ttyPath(sys);
          if (cmd === 'create') {
            rt.create(opts);
            return 0;
          }
          return rt.run(opts, true);
        }
        // in the foreground a terminal is a pty of the container's devpts, relayed to ours
        let master: number | null = null;
        opts.onConsole = (m) => {
          master = m;
        };
        return rt.run(opts, false, () => {
          if (master !== null) relayTerminal(sys, master);
        });
      }
      case 'start':
        rt.start(id);
        return 0;
      case 'state': {
        const st = rt.state(id);
        out(JSON.stringify(stateJson(sys, g.flags.string('root'), st), null, '  ') + '\n');
        return 0;
      }
      case 'kill':
        rt.kill(id, parseSignal(p.args[1] ?? String(SIGTERM)), p.flags.bool('all'));
        return 0;
      case 'delete':
        rt.delete(id, p.flags.bool('force'));
        return 0;
      case 'list': {
        const rows = rt.list().map((s) => stateJson(sys, g.flags.string('root'), s));
        if (p.flags.bool('quiet')) out(rows.map((r) => `${String(r['id'])}\n`).join(''));
        else if (p.flags.string('format') === 'json') out(JSON.stringify(rows) + '\n');
        else out(table([['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER'], ...rows.map((r) => [String(r['id']), String(r['pid']), String(r['status']), String(r['bundle']), String(r['created']), String(r['owner'] || 'root')])]));
        return 0;
      }
      case 'exec': {
        let proc: OciProcess;
        if (p.flags.string('process')) proc = JSON.parse(readText(sys, resolve(cwd, p.flags.string('process')))) as OciProcess;
        else {
          const base = rt.spec(id).process;
          if (!base) throw new RuntimeError('the container was created without a process: give one with --process');
          if (p.args.length < 2) throw new RuntimeError('exec: no command given');
          const [uid, gid] = (p.flags.string('user') || `${base.user.uid}:${base.user.gid}`).split(':').map(Number);
          proc = { ...base, args: p.args.slice(1), env: [...(base.env ?? []), ...p.flags.list('env')], cwd: p.flags.string('cwd') || base.cwd, user: { uid: uid ?? 0, gid: gid ?? 0 }, terminal: p.flags.bool('tty') };
        }
        const r = rt.exec(id, proc, p.flags.bool('detach'), p.flags.string('pid-file') || undefined);
        return p.flags.bool('detach') ? 0 : r;
      }
    }
    return 1;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`Incorrect Usage: ${e.message}\n`);
      return 1;
    }
    const what = cmd && !(e instanceof RuntimeError && e.message.startsWith('runc ')) ? `runc ${cmd} failed: ` : '';
    err(`ERRO[0000] ${what}${(e as Error).message}\n`);
    return e instanceof RuntimeError && e.exitCode > 1 ? e.exitCode : 1;
  }
}

/** The tty on stdin, to become the container's /dev/console. */
function ttyPath(sys: Syscalls): string | undefined {
  try {
    return sys.isatty(0) ? sys.readlink('/proc/self/fd/0') : undefined;
  } catch {
    return undefined;
  }
}
