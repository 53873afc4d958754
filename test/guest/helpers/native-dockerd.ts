// Our dockerd running natively in a temp dir for a test file, with both docker clients (ours and
// the official one) pointed at it, and programs driven on a real pseudo-terminal.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../../scripts/lib/cache.ts';
import { BINARY, nativeSkipReason, waitForSocket } from './native.ts';
import { skipOutsideCi } from '../../helpers/ci.ts';

export const REGISTRY = join(repoRoot, 'vm-images', 'dist', 'registry');
export const OFFICIAL_DOCKER = '/usr/local/bin/docker';
const PTY = join(repoRoot, 'test', 'guest', 'helpers', 'pty-session.py');

/** Why a test with our dockerd and both clients cannot run here, or null (under CI=true a reason throws). */
export function dockerdSkipReason(): string | null {
  return skipOutsideCi(nativeSkipReason()
    ?? (existsSync(join(REGISTRY, 'busybox', 'index.json')) ? null : `offline registry not built (${REGISTRY}); run npm run build:images`)
    ?? (existsSync(OFFICIAL_DOCKER) ? null : `official Docker client missing at ${OFFICIAL_DOCKER} (install Docker's static client there)`)
    ?? (spawnSync('python3', ['--version']).status === 0 ? null : 'python3 (for a pseudo-terminal) missing'), 'tests with the official Docker client');
}

export interface Step { expect?: string; send?: string; poke?: string; resize?: [number, number]; sleep?: number; timeout?: number }
export interface PtyResult { steps: boolean[]; exit: number | null; output: string }
export interface CmdResult { code: number; stdout: string; stderr: string }

/** Runs a command on a pseudo-terminal of 24x80 through the steps. */
export function onPty(command: readonly string[], steps: Step[], env: NodeJS.ProcessEnv = process.env): PtyResult {
  const r = spawnSync('python3', [PTY, JSON.stringify(steps), ...command], { env, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`pty-session failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as PtyResult;
}

export interface NativeDockerd {
  /** The daemon's temp dir (its data and exec roots, socket and log are inside). */
  dir: string;
  env: NodeJS.ProcessEnv;
  /** The client command: ours (the multi-call binary) or the official one. */
  client(official: boolean): string[];
  docker(args: string[], official?: boolean, input?: string): CmdResult;
  /** Runs a command on a pseudo-terminal of 24x80 through the steps. */
  onPty(command: readonly string[], steps: Step[]): PtyResult;
  /** The tail of what dockerd printed (for failure messages). */
  log(): string;
  /** SIGKILLs dockerd (its containers' shims live on) and waits for it to be gone. */
  kill(): Promise<void>;
  /** Starts dockerd again on the same state, after kill(). */
  start(): Promise<void>;
  /** kill() then start(). */
  restart(): Promise<void>;
  /** The daemon's pid now. */
  pid(): number | undefined;
  stop(): void;
}

export interface DockerdOptions {
  /** The daemon runs in a network namespace of its own (its bridges stay out of the host's). */
  ownNetns?: boolean;
  /** --bridge none: containers get lo only (tests that need no network). */
  noBridge?: boolean;
  /** More environment for both clients (DOCKER_CLI_HINTS, HOME...). */
  env?: Record<string, string>;
}

/** Starts our dockerd in a temp dir named with `prefix`, and waits for its socket. */
export async function startDockerd(prefix: string, opts: DockerdOptions = {}): Promise<NativeDockerd> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const sock = join(dir, 'docker.sock');
  const logPath = join(dir, 'dockerd.log');
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}`, ...opts.env };
  const [cmd0, ...pre0] = opts.ownNetns ? ['unshare', '-n', BINARY] : [BINARY];
  const args = [...pre0, 'dockerd', '-H', `unix://${sock}`, '--data-root', join(dir, 'lib'), '--exec-root', join(dir, 'run'), '--pidfile', join(dir, 'd.pid'), '--registry', REGISTRY, '--pull-mode', 'lazy', ...(opts.noBridge ? ['--bridge', 'none'] : [])];
  const launch = async (): Promise<ChildProcess> => {
    // the log is kept: a failing test can show what the daemon said
    const log = openSync(logPath, 'a');
    try {
      const d = spawn(cmd0!, args, { stdio: ['ignore', log, log], detached: true });
      await waitForSocket(sock);
      return d;
    } finally {
      closeSync(log);
    }
  };
  let daemon = await launch();
  const client = (official: boolean): string[] => (official ? [OFFICIAL_DOCKER] : [BINARY, 'docker']);
  const docker = (args: string[], official = false, input = ''): CmdResult => {
    const [cmd, ...pre] = client(official);
    const r = spawnSync(cmd!, [...pre, ...args], { env, encoding: 'utf8', timeout: 60_000, input });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  const handle: NativeDockerd = {
    dir,
    env,
    client,
    docker,
    onPty: (command, steps) => onPty(command, steps, env),
    log: () => `dockerd's log:\n${existsSync(logPath) ? readFileSync(logPath, 'utf8').slice(-3000) : '(none)'}`,
    kill: async () => {
      const exited = daemon.exitCode !== null || daemon.signalCode !== null ? Promise.resolve() : new Promise((r) => daemon.once('exit', r));
      if (daemon.pid) process.kill(daemon.pid, 'SIGKILL');
      await exited;
      rmSync(sock, { force: true });
    },
    start: async () => {
      daemon = await launch();
    },
    restart: async () => {
      await handle.kill();
      await handle.start();
    },
    pid: () => daemon.pid,
    stop() {
      const ids = docker(['ps', '-aq']).stdout.split('\n').filter((x) => x);
      if (ids.length) docker(['rm', '-f', ...ids]);
      if (daemon.pid) process.kill(daemon.pid, 'SIGKILL');
      spawnSync('sh', ['-c', `grep ' ${dir}' /proc/mounts | cut -d' ' -f2 | sort -r | xargs -r umount -l`]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}
