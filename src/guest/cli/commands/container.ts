// docker run/create/start/attach/exec/ps/logs/stop/... : the container commands (moby's cli/command/container).

import { writeAll } from '../../sys/io.ts';
import { humanSize, parseRamSize } from '../../util/humanize.ts';
import { type FlagSpec, type Parsed } from '../../util/flags.ts';
import { readText } from '../../util/fsutil.ts';
import { utf8Decode } from '../../util/text.ts';
import { parseRef } from '../../images/reference.ts';
import { ApiResponseError, type Connection } from '../client.ts';
import { Demuxer } from '../../api/engine-api.ts';
import { pump, rawMode, sendSize } from '../stream.ts';
import { STATS_HEADER, statsRow, type StatsJson } from '../stats.ts';
import { formatTable } from '../../util/tabwriter.ts';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../../shim/proto.ts';
import { f, CliError, type Ctx, eachContainer, confirm, type CommandTable } from './context.ts';
import { pullImage } from './image.ts';
import { parseExpose, parsePublish, portLines, PortSpecError, type PortBinding, type PortMap } from '../../net/ports.ts';
import { isIpv4 } from '../../net/ipam.ts';

export const RUN_FLAGS: FlagSpec[] = [
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
  f('network', 'string', 'Connect a container to a network', undefined, { valueName: 'network' }),
  f('publish-all', 'bool', 'Publish all exposed ports to random ports', 'P'),
  f('expose', 'list', 'Expose a port or a range of ports'),
  f('network-alias', 'list', 'Add network-scoped alias for the container'),
  f('ip', 'string', 'IPv4 address (e.g., 172.30.100.104)'),
  f('add-host', 'list', 'Add a custom host-to-IP mapping (host:ip)'),
  f('dns', 'list', 'Set custom DNS servers'),
  f('dns-search', 'list', 'Set custom DNS search domains'),
  f('dns-option', 'list', 'Set DNS options'),
  f('stop-signal', 'string', 'Signal to stop the container'),
  f('stop-timeout', 'int', 'Timeout (in seconds) to stop a container'),
  f('detach-keys', 'string', 'Override the key sequence for detaching a container'),
  f('health-cmd', 'string', 'Command to run to check health'),
  f('health-interval', 'duration', 'Time between running the check (ms|s|m|h) (default 0s)'),
  f('health-retries', 'int', 'Consecutive failures needed to report unhealthy'),
  f('health-start-interval', 'duration', 'Time between running the check during the start period (ms|s|m|h) (default 0s)'),
  f('health-start-period', 'duration', 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)'),
  f('health-timeout', 'duration', 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)'),
  f('no-healthcheck', 'bool', 'Disable any container-specified HEALTHCHECK'),
];

/** --health-* and --no-healthcheck as the Healthcheck of the create body (the CLI's checks first). */
export function healthcheckBody(p: Parsed, cmd: string): Record<string, unknown> | undefined {
  const cmdText = p.flags.string('health-cmd');
  const interval = p.flags.duration('health-interval');
  const timeout = p.flags.duration('health-timeout');
  const startPeriod = p.flags.duration('health-start-period');
  const startInterval = p.flags.duration('health-start-interval');
  const retries = p.flags.int('health-retries');
  const any = cmdText !== '' || interval !== 0 || timeout !== 0 || startPeriod !== 0 || retries !== 0 || startInterval !== 0;
  if (p.flags.bool('no-healthcheck')) {
    if (any) throw runError(cmd, '--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!any) return undefined;
  if (interval < 0) throw runError(cmd, '--health-interval cannot be negative');
  if (timeout < 0) throw runError(cmd, '--health-timeout cannot be negative');
  if (retries < 0) throw runError(cmd, '--health-retries cannot be negative');
  if (startPeriod < 0) throw runError(cmd, '--health-start-period cannot be negative');
  if (startInterval < 0) throw runError(cmd, '--health-start-interval cannot be negative');
  return {
    ...(cmdText !== '' ? { Test: ['CMD-SHELL', cmdText] } : {}),
    Interval: interval, Timeout: timeout, StartPeriod: startPeriod, StartInterval: startInterval, Retries: retries,
  };
}

export function parseEnvFile(c: Ctx, path: string): string[] {
  let text: string;
  try {
    text = readText(c.sys, path);
  } catch {
    throw new CliError(`docker: open ${path}: no such file or directory\n\nRun 'docker run --help' for more information`, 125);
  }
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => (l.includes('=') ? l : `${l}=${c.sys.getenv(l) ?? ''}`));
}

/** Docker's CLI error for a bad flag value of run/create: exit 125 with the help line. */
function runError(cmd: string, msg: string): CliError {
  return new CliError(`docker: ${msg}\n\nRun '${cmd} --help' for more information`, 125);
}

/** -p, -P, --expose, --network, --network-alias, --ip, --add-host, --dns*: the networking part of the create body. */
export function networkingBody(p: Parsed, cmd: string): { exposed: Record<string, object>; host: Record<string, unknown>; networking: Record<string, unknown> | undefined } {
  let exposed: Record<string, object>;
  let bindings: Record<string, PortBinding[]>;
  try {
    const pub = parsePublish(p.flags.list('publish'));
    exposed = { ...parseExpose(p.flags.list('expose')), ...pub.exposed };
    bindings = pub.bindings;
  } catch (e) {
    if (e instanceof PortSpecError) throw runError(cmd, e.message);
    throw e;
  }
  for (const h of p.flags.list('add-host')) {
    const i = h.indexOf(':') >= 0 ? h.indexOf(':') : h.indexOf('=');
    const addr = i > 0 ? h.slice(i + 1) : '';
    if (i <= 0 || (addr !== 'host-gateway' && !isIpv4(addr))) throw runError(cmd, `invalid argument "${h}" for "--add-host" flag: invalid IP address in add-host: "${addr}"`);
  }
  for (const d of p.flags.list('dns')) if (!isIpv4(d)) throw runError(cmd, `invalid argument "${d}" for "--dns" flag: IP address is not correctly formatted: ${d}`);
  const ip = p.flags.string('ip');
  if (ip && !isIpv4(ip)) throw runError(cmd, `invalid argument "${ip}" for "--ip" flag: invalid string being converted to IP address: ${ip}`);
  const network = p.flags.string('network');
  const aliases = p.flags.list('network-alias');
  const endpoint = ip || aliases.length ? { ...(ip ? { IPAMConfig: { IPv4Address: ip } } : {}), ...(aliases.length ? { Aliases: aliases } : {}) } : null;
  return {
    exposed,
    host: {
      NetworkMode: network || 'bridge',
      PortBindings: bindings,
      PublishAllPorts: p.flags.bool('publish-all'),
      ExtraHosts: p.flags.list('add-host').map((h) => h.replace('=', ':')),
      Dns: p.flags.list('dns'),
      DnsSearch: p.flags.list('dns-search'),
      DnsOptions: p.flags.list('dns-option'),
    },
    networking: endpoint ? { EndpointsConfig: { [network || 'bridge']: endpoint } } : undefined,
  };
}

export interface MountFlag {
  Type: string;
  Source?: string;
  Target: string;
  ReadOnly: boolean;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

/** One --mount value (type=tmpfs,destination=/cache,tmpfs-size=1m) as the API's Mounts entry. */
export function parseMountFlag(text: string): MountFlag {
  const kv: Record<string, string> = {};
  for (const part of text.split(',')) {
    const i = part.indexOf('=');
    kv[i >= 0 ? part.slice(0, i) : part] = i >= 0 ? part.slice(i + 1) : 'true';
  }
  const out: MountFlag = { Type: kv['type'] ?? 'volume', Source: kv['source'] ?? kv['src'], Target: kv['target'] ?? kv['destination'] ?? kv['dst'] ?? '', ReadOnly: kv['readonly'] === 'true' || kv['ro'] === 'true' };
  const tmpfs: { SizeBytes?: number; Mode?: number } = {};
  if (kv['tmpfs-size'] !== undefined) {
    try {
      tmpfs.SizeBytes = parseRamSize(kv['tmpfs-size']);
    } catch {
      throw new Error(`invalid value for tmpfs-size: ${kv['tmpfs-size']}`);
    }
  }
  if (kv['tmpfs-mode'] !== undefined) {
    if (!/^[0-7]+$/.test(kv['tmpfs-mode'])) throw new Error(`invalid value for tmpfs-mode: ${kv['tmpfs-mode']}`);
    tmpfs.Mode = parseInt(kv['tmpfs-mode'], 8);
  }
  if (Object.keys(tmpfs).length > 0) {
    if (out.Type !== 'tmpfs') throw new Error(`cannot mix 'tmpfs-*' options with mount type '${out.Type}'`);
    out.TmpfsOptions = tmpfs;
  }
  return out;
}

export function createBody(c: Ctx, p: Parsed, autoRemove: boolean, command = 'docker run'): Record<string, unknown> {
  const [image, ...cmd] = p.args;
  const net = networkingBody(p, command);
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
    try {
      return parseMountFlag(m);
    } catch (e) {
      throw new CliError(`invalid argument "${m}" for "--mount" flag: ${(e as Error).message}\n\nUsage:  ${command} [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun '${command} --help' for more information`, 125);
    }
  });
  const cpus = p.flags.string('cpus');
  const restart = p.flags.string('restart');
  const entry = p.flags.changed('entrypoint') ? (p.flags.string('entrypoint') ? [p.flags.string('entrypoint')] : []) : undefined;
  const healthcheck = healthcheckBody(p, command);
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
    ExposedPorts: net.exposed,
    NetworkingConfig: net.networking,
    StopSignal: p.flags.string('stop-signal') || undefined,
    StopTimeout: p.flags.changed('stop-timeout') ? p.flags.int('stop-timeout') : undefined,
    Healthcheck: healthcheck,
    HostConfig: {
      ...net.host,
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

export function createContainer(c: Ctx, p: Parsed, autoRemove: boolean, stdinOnce = false, command = 'docker run'): string {
  const body = { ...createBody(c, p, autoRemove, command), AttachStdin: stdinOnce, StdinOnce: stdinOnce };
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

export interface AttachMode {
  tty: boolean;
  stdin: boolean;
  detachKeys: string;
}

/** Detach keys as bytes, or Docker's error for a bad --detach-keys. */
export function detachBytes(spec: string): number[] {
  try {
    return parseDetachKeys(spec || DEFAULT_DETACH_KEYS);
  } catch (e) {
    throw new CliError((e as Error).message, 125);
  }
}

/** A hijacked connection (attach, exec start): 101 expected, the error body otherwise. */
export function hijack(c: Ctx, path: string, body?: unknown): Connection {
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
export function interact(c: Ctx, conn: Connection, m: AttachMode, keys: number[], resize: ((h: number, w: number) => void) | undefined, signal?: (sig: number) => void): Promise<'ended' | 'detached'> {
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
export function runAttached(c: Ctx, id: string, m: AttachMode): number | Promise<number> {
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
export function execCommand(c: Ctx, p: Parsed): number | Promise<number> {
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

export interface AttachTarget {
  Config: { Tty: boolean; OpenStdin: boolean };
  State: { Running: boolean; Paused: boolean; Restarting: boolean };
}

/** Resizes the container's terminal through the API; a container that ended meanwhile is no error. */
export function resizer(c: Ctx, ref: string): (h: number, w: number) => void {
  return (h, w) => {
    try {
      c.client.call('POST', `/containers/${ref}/resize?h=${h}&w=${w}`);
    } catch {
      // the container ended
    }
  };
}

/** Sends a signal to the container through the API; a container that ended meanwhile is no error. */
export function signaller(c: Ctx, ref: string): (sig: number) => void {
  return (sig) => {
    try {
      c.client.call('POST', `/containers/${ref}/kill?signal=${sig}`);
    } catch {
      // not running any more
    }
  };
}

/** The answer of a wait request opened before the container ran (read once it has ended). */
export function waitResult(waiter: ReturnType<Ctx['client']['open']>): { StatusCode: number; Error?: { Message: string } | null } {
  let text = '';
  waiter.conn.readBody(waiter.res, (b) => (text += utf8Decode(b)));
  waiter.conn.close();
  return JSON.parse(text || '{"StatusCode":0}') as { StatusCode: number; Error?: { Message: string } | null };
}

/** The container, when it can be attached to (Docker checks this on the client side). */
export function attachable(c: Ctx, ref: string): AttachTarget {
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
export function attachCommand(c: Ctx, p: Parsed): number | Promise<number> {
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

export const containerCommands: CommandTable = {
  run: {
    spec: { path: 'docker run', usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]', description: 'Create and run a new container from an image', interspersed: false, minArgs: 1, flags: RUN_FLAGS },
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
  },
  create: {
    spec: { path: 'docker create', usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]', description: 'Create a new container', interspersed: false, minArgs: 1, flags: RUN_FLAGS.filter((x) => x.name !== 'detach' && x.name !== 'rm') },
    run: (c, p) => {
      c.out(`${createContainer(c, p, false, false, 'docker create')}\n`);
      return 0;
    },
  },
  start: {
    spec: { path: 'docker start', usage: '[OPTIONS] CONTAINER [CONTAINER...]', description: 'Start one or more stopped containers', minArgs: 1, flags: [f('attach', 'bool', 'Attach STDOUT/STDERR and forward signals', 'a'), f('interactive', 'bool', "Attach container's STDIN", 'i'), f('detach-keys', 'string', 'Override the key sequence for detaching a container')] },
    run: (c, p) => {
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
  },
  attach: {
    spec: { path: 'docker attach', usage: '[OPTIONS] CONTAINER', description: 'Attach local standard input, output, and error streams to a running container', minArgs: 1, maxArgs: 1, flags: [f('detach-keys', 'string', 'Override the key sequence for detaching a container'), f('no-stdin', 'bool', 'Do not attach STDIN'), f('sig-proxy', 'bool', 'Proxy all received signals to the process (default true)', undefined, { default: true })] },
    run: attachCommand,
  },
  exec: {
    spec: { path: 'docker exec', usage: '[OPTIONS] CONTAINER COMMAND [ARG...]', description: 'Execute a command in a running container', interspersed: false, minArgs: 2, flags: [f('detach', 'bool', 'Detached mode: run command in the background', 'd'), f('detach-keys', 'string', 'Override the key sequence for detaching a container'), f('env', 'list', 'Set environment variables', 'e'), f('env-file', 'list', 'Read in a file of environment variables'), f('interactive', 'bool', 'Keep STDIN open even if not attached', 'i'), f('privileged', 'bool', 'Give extended privileges to the command'), f('tty', 'bool', 'Allocate a pseudo-TTY', 't'), f('user', 'string', 'Username or UID (format: "<name|uid>[:<group|gid>]")', 'u'), f('workdir', 'string', 'Working directory inside the container', 'w')] },
    run: execCommand,
  },
  rename: {
    spec: { path: 'docker rename', usage: 'CONTAINER NEW_NAME', description: 'Rename a container', minArgs: 2, maxArgs: 2, flags: [] },
    run: (c, p) => {
      const [from, to] = [p.args[0]!.trim(), p.args[1]!.trim()];
      if (!from || !to) throw new CliError('Error: Neither old nor new names may be empty');
      try {
        c.client.call('POST', `/containers/${encodeURIComponent(from)}/rename?name=${encodeURIComponent(to)}`);
      } catch (e) {
        if (!(e instanceof ApiResponseError)) throw e;
        // the official client adds a line of its own under the daemon's answer
        throw new CliError(`Error response from daemon: ${e.message}\nError: failed to rename container named ${from}`);
      }
      return 0;
    },
  },
  top: {
    spec: { path: 'docker top', usage: 'CONTAINER [ps OPTIONS]', description: 'Display the running processes of a container', interspersed: false, minArgs: 1, flags: [] },
    run: (c, p) => {
      const [name, ...psArgs] = p.args;
      const r = c.client.call<{ Titles: string[]; Processes: string[][] }>('GET', `/containers/${encodeURIComponent(name!)}/top${psArgs.length ? `?ps_args=${encodeURIComponent(psArgs.join(' '))}` : ''}`);
      c.out(formatTable([r.Titles, ...r.Processes].map((row) => row.join('\t')).join('\n') + '\n', { minWidth: 20, padding: 3 }));
      return 0;
    },
  },
  stats: {
    spec: { path: 'docker stats', usage: '[OPTIONS] [CONTAINER...]', description: 'Display a live stream of container(s) resource usage statistics', flags: [f('all', 'bool', 'Show all containers (default shows just running)', 'a'), f('no-stream', 'bool', 'Disable streaming stats and only pull the first result'), f('no-trunc', 'bool', "Do not truncate output"), f('format', 'string', 'Format output using a custom template')] },
    run: (c, p) => {
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
  },
  stop: {
    spec: { path: 'docker stop', usage: '[OPTIONS] CONTAINER [CONTAINER...]', description: 'Stop one or more running containers', minArgs: 1, flags: [f('time', 'int', 'Seconds to wait before killing the container', 't', { default: -1 }), f('signal', 'string', 'Signal to send to the container', 's')] },
    run: (c, p) => eachContainer(c, p, (n) => c.client.call('POST', `/containers/${n}/stop${p.flags.int('time') >= 0 ? `?t=${p.flags.int('time')}` : ''}${p.flags.string('signal') ? `${p.flags.int('time') >= 0 ? '&' : '?'}signal=${p.flags.string('signal')}` : ''}`)),
  },
  restart: {
    spec: { path: 'docker restart', usage: '[OPTIONS] CONTAINER [CONTAINER...]', description: 'Restart one or more containers', minArgs: 1, flags: [f('time', 'int', 'Seconds to wait before killing the container', 't', { default: -1 })] },
    run: (c, p) => eachContainer(c, p, (n) => c.client.call('POST', `/containers/${n}/restart${p.flags.int('time') >= 0 ? `?t=${p.flags.int('time')}` : ''}`)),
  },
  kill: {
    spec: { path: 'docker kill', usage: '[OPTIONS] CONTAINER [CONTAINER...]', description: 'Kill one or more running containers', minArgs: 1, flags: [f('signal', 'string', 'Signal to send to the container', 's')] },
    run: (c, p) => eachContainer(c, p, (n) => c.client.call('POST', `/containers/${n}/kill${p.flags.string('signal') ? `?signal=${p.flags.string('signal')}` : ''}`)),
  },
  rm: {
    spec: { path: 'docker rm', usage: '[OPTIONS] CONTAINER [CONTAINER...]', description: 'Remove one or more containers', minArgs: 1, flags: [f('force', 'bool', 'Force the removal of a running container (uses SIGKILL)', 'f'), f('volumes', 'bool', 'Remove anonymous volumes associated with the container', 'v')] },
    run: (c, p) => eachContainer(c, p, (n) => c.client.call('DELETE', `/containers/${n}?force=${p.flags.bool('force') ? 1 : 0}&v=${p.flags.bool('volumes') ? 1 : 0}`)),
  },
  wait: {
    spec: { path: 'docker wait', usage: 'CONTAINER [CONTAINER...]', description: 'Block until one or more containers stop, then print their exit codes', minArgs: 1, flags: [] },
    run: (c, p) => eachContainer(c, p, (n) => {
      const r = c.client.call<{ StatusCode: number }>('POST', `/containers/${n}/wait`);
      return String(r.StatusCode);
    }),
  },
  logs: {
    spec: { path: 'docker logs', usage: '[OPTIONS] CONTAINER', description: 'Fetch the logs of a container', minArgs: 1, maxArgs: 1, flags: [f('follow', 'bool', 'Follow log output', 'f'), f('tail', 'string', 'Number of lines to show from the end of the logs', 'n', { default: 'all' }), f('timestamps', 'bool', 'Show timestamps', 't')] },
    run: (c, p) => {
      const q = `stdout=1&stderr=1&follow=${p.flags.bool('follow') ? 1 : 0}&tail=${encodeURIComponent(p.flags.string('tail'))}&timestamps=${p.flags.bool('timestamps') ? 1 : 0}`;
      const info = c.client.call<{ Config: { Tty: boolean } }>('GET', `/containers/${encodeURIComponent(p.args[0]!)}/json`);
      const { conn, res } = c.client.open('GET', `/containers/${encodeURIComponent(p.args[0]!)}/logs?${q}`, undefined, { Connection: 'close' });
      if (res.status >= 400) throw new ApiResponseError(res.status, 'logs failed');
      const demux = new Demuxer((stream, data) => writeAll(c.sys, stream === 2 ? 2 : 1, data));
      conn.readBody(res, (b) => (info.Config.Tty ? writeAll(c.sys, 1, b) : demux.push(b)));
      conn.close();
      return 0;
    },
  },
  port: {
    spec: { path: 'docker port', usage: 'CONTAINER [PRIVATE_PORT[/PROTO]]', description: 'List port mappings or a specific mapping for the container', minArgs: 1, maxArgs: 2, flags: [] },
    run: (c, p) => {
      const info = c.client.call<{ NetworkSettings: { Ports: PortMap | null } }>('GET', `/containers/${encodeURIComponent(p.args[0]!)}/json`);
      let lines: string[];
      try {
        lines = portLines(info.NetworkSettings.Ports ?? {}, p.args[0]!, p.args[1]);
      } catch (e) {
        if (e instanceof PortSpecError) throw new CliError(e.message, 1);
        throw e;
      }
      if (lines.length) c.out(`${lines.join('\n')}\n`);
      return 0;
    },
  },
  'container prune': {
    spec: { path: 'docker container prune', usage: '[OPTIONS]', description: 'Remove all stopped containers', maxArgs: 0, flags: [f('force', 'bool', 'Do not prompt for confirmation', 'f')] },
    run: (c, p) => {
      if (!p.flags.bool('force') && !confirm(c, 'WARNING! This will remove all stopped containers.\n')) return 0;
      const cs = c.client.call<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>('POST', '/containers/prune');
      if (cs.ContainersDeleted?.length) c.out(`Deleted Containers:\n${cs.ContainersDeleted.join('\n')}\n\n`);
      c.out(`Total reclaimed space: ${humanSize(cs.SpaceReclaimed)}\n`);
      return 0;
    },
  },
};
