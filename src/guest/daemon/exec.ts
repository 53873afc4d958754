// docker exec on the daemon side: POST /containers/ID/exec makes an exec instance, POST
// /exec/ID/start runs it through the container's shim (hijacked like attach, or detached),
// GET /exec/ID/json reports it, POST /exec/ID/resize sizes its terminal. The shim joins the
// container's namespaces and cgroup and execs (runc exec); exit codes come back from it.

import type { Syscalls } from '../sys/syscalls.ts';
import { readText } from '../util/fsutil.ts';
import { utf8Decode, utf8Encode } from '../util/text.ts';
import { SIGKILL } from '../sys/constants.ts';
import { limitOutput, MAX_OUTPUT, type ProbeEnd, type ProbeHandle } from './health.ts';
import { newId } from '../util/ids.ts';
import { parseSpec, type OciProcess } from '../runc/spec.ts';
import { DEFAULT_DETACH_KEYS, DetachWatcher, FrameType, frameJson, parseDetachKeys } from '../shim/proto.ts';
import { Conflict, InvalidParameter, NotFound, SystemError } from './errdefs.ts';
import type { Request, Response } from './http.ts';
import type { ContainerRecord } from './model.ts';
import { resolveUser } from './ocispec.ts';
import { ShimStream, shimRequest } from './shimconn.ts';
import { frame } from '../api/engine-api.ts';

export interface ExecConfig {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  DetachKeys?: string;
  Tty?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Privileged?: boolean;
  User?: string;
  WorkingDir?: string;
  ConsoleSize?: [number, number] | null;
}

export interface ExecRecord {
  ID: string;
  ContainerID: string;
  Running: boolean;
  ExitCode: number | null;
  Pid: number;
  OpenStdin: boolean;
  OpenStdout: boolean;
  OpenStderr: boolean;
  DetachKeys: string;
  CanRemove: boolean;
  ProcessConfig: { tty: boolean; entrypoint: string; arguments: string[]; privileged: boolean; user: string };
  config: ExecConfig;
}

/** Merges NAME=value lists: later names replace earlier ones. */
export function mergeEnv(base: readonly string[], extra: readonly string[]): string[] {
  const out = [...base];
  for (const e of extra) {
    const k = e.split('=')[0];
    const i = out.findIndex((x) => x.split('=')[0] === k);
    if (i >= 0) out[i] = e;
    else out.push(e);
  }
  return out;
}

/** The process an exec runs: the container's own (caps, env, cwd, user) with the exec's changes. */
export function execProcess(base: OciProcess, cfg: ExecConfig, user: OciProcess['user'] | null): OciProcess {
  let env = mergeEnv(base.env ?? [], cfg.Env ?? []);
  if (cfg.Tty && !env.some((e) => e.startsWith('TERM='))) env = [...env, 'TERM=xterm'];
  return {
    ...base,
    terminal: cfg.Tty === true,
    args: [...(cfg.Cmd ?? [])],
    env,
    cwd: cfg.WorkingDir || base.cwd,
    user: user ?? base.user,
  };
}

/** The message and code Docker gives a process that could not be started. */
export function execFailure(message: string, code: number): { message: string; code: number } {
  const c = /executable file not found|no such file or directory/.test(message) ? 127 : /permission denied/.test(message) ? 126 : code > 1 ? code : 126;
  return { message: `OCI runtime exec failed: ${message}: unknown`, code: c };
}

export class Execs {
  private records = new Map<string, ExecRecord>();
  private streams = new Map<string, ShimStream>();
  constructor(private sys: Syscalls) {}

  create(c: ContainerRecord, cfg: ExecConfig): ExecRecord {
    if (!c.State.Running) throw new Conflict(`container ${c.Id} is not running`);
    if (!cfg.Cmd || cfg.Cmd.length === 0) throw new InvalidParameter('No exec command specified');
    try {
      parseDetachKeys(cfg.DetachKeys ?? DEFAULT_DETACH_KEYS);
    } catch (e) {
      throw new InvalidParameter((e as Error).message);
    }
    const id = newId((k) => this.sys.randomBytes(k));
    const r: ExecRecord = {
      ID: id, ContainerID: c.Id, Running: false, ExitCode: null, Pid: 0, OpenStdin: cfg.AttachStdin === true,
      OpenStdout: cfg.AttachStdout !== false, OpenStderr: cfg.AttachStderr !== false, DetachKeys: cfg.DetachKeys ?? '', CanRemove: false,
      ProcessConfig: { tty: cfg.Tty === true, entrypoint: cfg.Cmd[0]!, arguments: cfg.Cmd.slice(1), privileged: cfg.Privileged === true, user: cfg.User ?? '' },
      config: cfg,
    };
    this.records.set(id, r);
    return r;
  }

  get(id: string): ExecRecord {
    const r = this.records.get(id) ?? [...this.records.values()].find((x) => id.length >= 12 && x.ID.startsWith(id));
    if (!r) throw new NotFound(`No such exec instance: ${id}`);
    return r;
  }

  idsOf(containerId: string): string[] | null {
    const ids = [...this.records.values()].filter((r) => r.ContainerID === containerId).map((r) => r.ID);
    return ids.length ? ids : null;
  }

  forget(containerId: string): void {
    for (const [id, r] of this.records) if (r.ContainerID === containerId) this.records.delete(id);
  }

  inspect(r: ExecRecord): Record<string, unknown> {
    const { config: _c, ...rest } = r;
    void _c;
    return rest;
  }

  /** The process an exec runs in the container whose bundle this is. */
  private processFor(c: ContainerRecord, bundle: string, cfg: ExecConfig): OciProcess {
    let spec;
    try {
      spec = parseSpec(readText(this.sys, `${bundle}/config.json`));
    } catch {
      throw new Conflict(`container ${c.Id} is not running`);
    }
    let user: OciProcess['user'] | null = null;
    if (cfg.User) {
      const rootfs = spec.root?.path ?? '';
      const file = (f: string): string => {
        try {
          return readText(this.sys, `${rootfs}${f}`);
        } catch {
          return '';
        }
      };
      try {
        user = { ...resolveUser(cfg.User, file('/etc/passwd'), file('/etc/group')) };
      } catch (e) {
        throw new SystemError((e as Error).message);
      }
    }
    return execProcess(spec.process!, cfg, user);
  }

  /**
   * A health check probe (health.ts): cmd run as an exec with the container's user and working
   * folder, stdout and stderr kept together (at most 4096 bytes), not listed among its execs.
   */
  probe(c: ContainerRecord, bundle: string, socket: string, cmd: string[], on: { started(): void; ended(end: ProbeEnd): void }): ProbeHandle {
    if (!c.State.Running) throw new Conflict(`container ${c.Id} is not running`);
    const process = this.processFor(c, bundle, { Cmd: cmd, User: c.Config.User, WorkingDir: c.Config.WorkingDir, Tty: false });
    const chunks: Uint8Array[] = [];
    let size = 0;
    let pid = 0;
    let end: ProbeEnd | null = null;
    const output = (): string => {
      const all = new Uint8Array(size);
      let at = 0;
      for (const ch of chunks) {
        all.set(ch, at);
        at += ch.length;
      }
      return limitOutput(all, (b) => utf8Decode(b));
    };
    const execId = newId((k) => this.sys.randomBytes(k));
    ShimStream.open(this.sys, socket, { op: 'exec', execId, process, stdin: false, detach: false }, {
      onFrame: (type, payload) => {
        if (type === FrameType.Stdout || type === FrameType.Stderr) {
          // one byte past the limit is enough to know it was cut
          if (size <= MAX_OUTPUT) {
            const keep = payload.subarray(0, MAX_OUTPUT + 1 - size);
            chunks.push(keep.slice());
            size += keep.length;
          }
        } else if (type === FrameType.Started) {
          pid = frameJson<{ Pid: number }>(payload).Pid;
          on.started();
        } else if (type === FrameType.Exit) {
          end = { kind: 'exit', exitCode: frameJson<{ ExitCode: number }>(payload).ExitCode, output: output() };
        } else if (type === FrameType.Error) {
          const e = frameJson<{ message: string; exitCode: number }>(payload);
          end = { kind: 'error', message: execFailure(e.message, e.exitCode).message };
        }
      },
      onEnd: () => {
        on.ended(end ?? { kind: 'error', message: `container ${c.Id} is not running` });
      },
    });
    return {
      kill: () => {
        if (pid <= 0) return;
        try {
          this.sys.kill(pid, SIGKILL);
        } catch {
          // ended meanwhile
        }
      },
      output,
    };
  }

  /** POST /exec/ID/start. */
  start(r: ExecRecord, c: ContainerRecord, bundle: string, socket: string, req: Request, res: Response, body: { Detach?: boolean; Tty?: boolean }): void {
    if (r.Running || r.ExitCode !== null) throw new Conflict(`Error: Exec command ${r.ID} has already run`);
    if (!c.State.Running) throw new Conflict(`container ${c.Id} is not running`);
    const process = this.processFor(c, bundle, r.config);
    const detach = body.Detach === true;
    const tty = r.ProcessConfig.tty;
    const conn = res.conn;
    let watcher: DetachWatcher | null = null;
    if (!detach) {
      res.hijack(tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream');
      if (tty) watcher = new DetachWatcher(parseDetachKeys(r.DetachKeys || DEFAULT_DETACH_KEYS));
    }
    const write = (stream: 1 | 2, data: Uint8Array): void => {
      if (detach) return;
      if (stream === 1 ? !r.OpenStdout : !r.OpenStderr) return;
      conn.write(tty ? data : frame(stream, data));
    };
    let answered = false;
    const answerDetached = (): void => {
      if (detach && !answered) {
        answered = true;
        res.send(200);
      }
    };
    r.Running = true;
    let stream: ShimStream;
    try {
      stream = ShimStream.open(this.sys, socket, { op: 'exec', execId: r.ID, process, stdin: r.OpenStdin && !detach, detach }, {
        onFrame: (type, payload) => {
          if (type === FrameType.Stdout || type === FrameType.Stderr) write(type, payload);
          else if (type === FrameType.Started) {
            r.Pid = frameJson<{ Pid: number }>(payload).Pid;
            answerDetached();
          } else if (type === FrameType.Exit) {
            r.ExitCode = frameJson<{ ExitCode: number }>(payload).ExitCode;
            r.Running = false;
          } else if (type === FrameType.Error) {
            const e = frameJson<{ message: string; exitCode: number }>(payload);
            const f = execFailure(e.message, e.exitCode);
            r.ExitCode = f.code;
            r.Running = false;
            // as Docker: the error goes into the stream, the code into the exec's inspect
            if (detach) {
              answered = true;
              res.error(f.code === 127 || f.code === 126 ? 400 : 500, f.message);
            } else conn.write(tty ? utf8Encode(`${f.message}\r\n`) : frame(1, utf8Encode(`${f.message}\r\n`)));
          }
        },
        onEnd: () => {
          this.streams.delete(r.ID);
          if (r.Running) {
            r.Running = false;
            if (r.ExitCode === null) r.ExitCode = 137;
          }
          answerDetached();
          if (!detach) conn.end();
        },
      });
    } catch {
      r.Running = false;
      throw new Conflict(`container ${c.Id} is not running`);
    }
    this.streams.set(r.ID, stream);
    if (detach) return;
    conn.onData = (b) => {
      if (!r.OpenStdin) return;
      if (!watcher) {
        stream.stdin(b);
        return;
      }
      const w = watcher.push(b);
      if (w.pass.length) stream.stdin(w.pass);
      // detached from the exec: the process runs on, its end still reaches the shim
      if (w.detach) conn.end();
    };
    conn.onEof = () => {
      if (r.OpenStdin) stream.closeStdin();
    };
  }

  resize(r: ExecRecord, socket: string, h: number, w: number): void {
    if (!r.Running) return;
    try {
      shimRequest(this.sys, socket, { op: 'resize', execId: r.ID, h, w });
    } catch {
      // the container ended
    }
  }
}
