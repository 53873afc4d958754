// Host side of the control channel (guest ttyS1): sends framed requests, matches results to
// requests by nonce, enforces timeouts. Knows nothing about v86: bytes go out through `send`
// and come back through `feed`, so it is tested in Node without an emulator.
import type { ExecOptions, ExecResult } from './types.ts';
import { VmError, VmTimeoutError } from './errors.ts';
import { ControlParser, buildScript, encodeRequest, type ChainOp, type ControlEvent, type ControlRequest, type Payload } from './protocol.ts';

/** Where payloads too large for one serial line go (the 9p share); absent means "no large payloads". */
export interface PayloadStash {
  /** Stores data and returns its path inside the guest. */
  put(name: string, data: Uint8Array): Promise<string>;
  remove(name: string): Promise<void>;
}

export interface ControlChannelOptions {
  send: (bytes: Uint8Array) => void;
  stash?: PayloadStash;
  /** Requests up to this size (bytes of payload) travel inline on the serial line. */
  inlineLimit?: number;
  now?: () => number;
}

export const DEFAULT_EXEC_TIMEOUT_MS = 30_000;
const DEFAULT_INLINE_LIMIT = 2048;

interface Pending {
  resolve: (r: ExecResult) => void;
  reject: (e: Error) => void;
  started: number;
  stashed: string[];
  timer: ReturnType<typeof setTimeout> | undefined;
}

interface Waiter {
  resolve: () => void;
}

let counter = 0;
function newNonce(): string {
  counter = (counter + 1) % 0x100000;
  const rand = Math.floor(Math.random() * 0x10000000).toString(36);
  return `${rand}${counter.toString(36)}`;
}

export class ControlChannel {
  private readonly parser = new ControlParser();
  private readonly runs = new Map<string, Pending>();
  private readonly pings = new Map<string, Waiter>();
  private readyWaiters: Waiter[] = [];
  private readonly decoder = new TextDecoder();
  /** Results that arrived for requests that had already timed out (their output is dropped). */
  lateResults = 0;
  /** Version string of the last READY seen from the agent. */
  agentVersion: string | null = null;

  constructor(private readonly opts: ControlChannelOptions) {}

  /** Bytes the guest wrote to the control tty. */
  feed(bytes: Uint8Array): void {
    for (const ev of this.parser.push(bytes)) this.dispatch(ev);
  }

  get busy(): boolean {
    return this.runs.size > 0;
  }

  private dispatch(ev: ControlEvent): void {
    switch (ev.kind) {
      case 'ready': {
        this.agentVersion = ev.version;
        const waiters = this.readyWaiters;
        this.readyWaiters = [];
        for (const w of waiters) w.resolve();
        return;
      }
      case 'pong':
        this.pings.get(ev.nonce)?.resolve();
        this.pings.delete(ev.nonce);
        return;
      case 'result': {
        const p = this.take(ev.nonce);
        if (!p) {
          this.lateResults++;
          return;
        }
        p.resolve({
          stdout: this.decoder.decode(ev.stdout),
          stderr: this.decoder.decode(ev.stderr),
          exitCode: ev.exitCode,
          durationMs: this.now() - p.started,
        });
        return;
      }
      case 'json': {
        const p = this.take(ev.nonce);
        if (!p) {
          this.lateResults++;
          return;
        }
        p.resolve({ stdout: ev.text, stderr: '', exitCode: 0, durationMs: this.now() - p.started });
        return;
      }
      case 'broken':
        this.take(ev.nonce)?.reject(new VmError(`control channel: ${ev.message}`));
        return;
    }
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private take(nonce: string): Pending | undefined {
    const p = this.runs.get(nonce);
    if (!p) return undefined;
    this.runs.delete(nonce);
    if (p.timer !== undefined) clearTimeout(p.timer);
    for (const name of p.stashed) void this.opts.stash?.remove(name).catch(() => undefined);
    return p;
  }

  /** Resolves at the agent's next READY line (after a cold boot). */
  waitReady(timeoutMs: number): Promise<void> {
    return withTimeout(
      new Promise<void>((resolve) => this.readyWaiters.push({ resolve })),
      timeoutMs,
      () => new VmError(`the guest's control agent did not start within ${timeoutMs} ms`),
    );
  }

  /** Round trip through the agent without running anything. Only while no exec runs: the
   * agent answers pings without the lock that keeps result frames whole. */
  ping(timeoutMs: number): Promise<void> {
    if (this.runs.size > 0) return Promise.reject(new VmError('ping: not while a command runs'));
    const nonce = newNonce();
    const p = new Promise<void>((resolve) => this.pings.set(nonce, { resolve }));
    this.opts.send(encodeRequest({ kind: 'ping', nonce }));
    return withTimeout(p, timeoutMs, () => {
      this.pings.delete(nonce);
      return new VmError(`the guest's control agent did not answer within ${timeoutMs} ms`);
    });
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
    if (!(timeoutMs > 0)) throw new VmError(`bad timeoutMs: ${timeoutMs}`);
    const nonce = newNonce();
    const enc = new TextEncoder();
    const script = enc.encode(buildScript(command, opts));
    const stdin = enc.encode(opts.stdin ?? '');
    const stashed: string[] = [];
    const payload = async (data: Uint8Array, suffix: string): Promise<Payload> => {
      if (data.length <= (this.opts.inlineLimit ?? DEFAULT_INLINE_LIMIT)) return { inline: data };
      if (!this.opts.stash) throw new VmError(`exec payload of ${data.length} bytes is too large for the serial line and there is no 9p share`);
      const name = `${nonce}.${suffix}`;
      stashed.push(name);
      return { guestPath: await this.opts.stash.put(name, data) };
    };
    const req = { kind: 'run' as const, nonce, script: await payload(script, 'sh'), stdin: await payload(stdin, 'in') };
    return new Promise<ExecResult>((resolve, reject) => {
      const pending: Pending = { resolve, reject, started: this.now(), stashed, timer: undefined };
      pending.timer = setTimeout(() => {
        if (!this.take(nonce)) return;
        // Kill the command's process group in the guest; its late result will be ignored.
        this.opts.send(encodeRequest({ kind: 'kill', nonce }));
        reject(new VmTimeoutError(command, timeoutMs));
      }, timeoutMs);
      this.runs.set(nonce, pending);
      this.opts.send(encodeRequest(req));
    });
  }

  /**
   * One inspector snapshot (src/vm/inspect.ts): the agent collects it in its own process and
   * answers with the JSON as a result's stdout. Resolves to that text.
   */
  inspect(timeoutMs = 60_000, parts?: string): Promise<string> {
    // agents before version 5 know no parts: the bare request still works with them
    const since = parts ? '5' : '4';
    return this.jsonRequest('inspect', (nonce) => (parts ? { kind: 'inspect', nonce, parts } : { kind: 'inspect', nonce }), timeoutMs, since);
  }

  /** The engine chain trace (src/vm/chain.ts): resolves to the agent's JSON answer. */
  chain(op: ChainOp, timeoutMs = 30_000): Promise<string> {
    return this.jsonRequest(`chain ${op}`, (nonce) => ({ kind: 'chain', nonce, op }), timeoutMs, '5');
  }

  /** A request the agent answers in its own process with one J line (or an error frame). */
  private jsonRequest(what: string, req: (nonce: string) => ControlRequest, timeoutMs: number, since: string): Promise<string> {
    const nonce = newNonce();
    return new Promise<string>((resolve, reject) => {
      const pending: Pending = {
        resolve: (r) => (r.exitCode === 0 ? resolve(r.stdout) : reject(new VmError(`${what}: ${r.stderr.trim() || `agent answered ${r.exitCode}`}`))),
        reject,
        started: this.now(),
        stashed: [],
        timer: undefined,
      };
      pending.timer = setTimeout(() => {
        if (!this.take(nonce)) return;
        reject(new VmError(`${what}: the guest's control agent did not answer within ${timeoutMs} ms (an agent older than version ${since} does not know the request)`));
      }, timeoutMs);
      this.runs.set(nonce, pending);
      this.opts.send(encodeRequest(req(nonce)));
    });
  }

  /** Fails every request in flight (the emulator stopped or its state was replaced). */
  abortAll(reason: string): void {
    for (const nonce of [...this.runs.keys()]) this.take(nonce)?.reject(new VmError(reason));
    this.pings.clear();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, error: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(error()), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
