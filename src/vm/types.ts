// The VM driver's public contract, shared by the Node driver, the browser worker (over comlink),
// the lesson runner and the app. Implementations live beside this file.
import type { HttpRequest, HttpResponse } from './http/types.ts';

export type { HttpRequest, HttpResponse } from './http/types.ts';
import type { InspectRequest, InspectSnapshot } from './inspect.ts';
import type { ChainOp, ChainTraceAnswer } from './chain.ts';

export type VmStatus = 'stopped' | 'booting' | 'ready' | 'busy' | 'crashed';

export interface BootProgress {
  /** 'running': the restored guest runs and its console (ttyS0) answers; the control channel and shares follow before 'ready'. */
  phase: 'loading' | 'restoring' | 'running' | 'bios' | 'kernel' | 'init' | 'ready';
  message: string;
  /** 0..1 when known. */
  fraction?: number;
}

export interface ExecOptions {
  /** Milliseconds before the command is interrupted and a VmTimeoutError is thrown (default 30 s). */
  timeoutMs?: number;
  cwd?: string;
  env?: Record<string, string>;
  /** Text fed to the command's standard input. */
  stdin?: string;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  durationMs: number;
}

export interface BootOptions {
  /** Restore the boot snapshot when there is one (default true); otherwise, or if it is bad, cold boot. */
  snapshot?: boolean;
  /** Guest memory in MiB. */
  memoryMiB?: number;
  /**
   * Restore this lesson's starting state instead of the boot snapshot when the build has one made
   * from the lesson as it is (key: lessonStartKey); it brings its own memory size.
   */
  lessonState?: { slug: string; key: string };
  onProgress?: (p: BootProgress) => void;
}

/** The operations every VM front end offers. */
export interface VmApi {
  boot(opts?: BootOptions): Promise<void>;
  status(): VmStatus;
  /** Runs a shell command in the guest on the control channel (not the learner's terminal). */
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  /**
   * What the kernel holds now (processes with their namespaces, cgroups, containers), read by the
   * control agent itself in one request: no process starts in the guest. See inspect.ts.
   */
  inspect(req?: InspectRequest): Promise<InspectSnapshot>;
  /**
   * The engine chain trace: 'on' makes new docker commands (and the running dockerd) record the
   * calls that make a container, 'read' returns the lines since the last read, 'off' stops it.
   * Answered by the control agent itself. See chain.ts.
   */
  chainTrace(op: ChainOp): Promise<ChainTraceAnswer>;
  /** Files on the 9p share, mounted at /mnt/host in the guest; paths are relative to the share. */
  writeFile(sharePath: string, data: Uint8Array | string): Promise<void>;
  readFile(sharePath: string): Promise<Uint8Array>;
  saveState(): Promise<ArrayBuffer>;
  restoreState(state: ArrayBuffer): Promise<void>;
  /** Raw bytes for the learner's terminal (guest ttyS0). */
  sendTerminal(data: string | Uint8Array): void;
  onTerminal(listener: (data: Uint8Array) => void): () => void;
  /**
   * An HTTP/1.1 request to a TCP port of the guest over v86's virtual network (the port preview's
   * road). Rejects with an error named NothingListeningError when nothing listens on the port,
   * HttpTimeoutError when the server stops answering, HttpProtocolError for a malformed answer.
   */
  http(port: number, request?: HttpRequest): Promise<HttpResponse>;
  /** Tells the guest's terminal its size (rows/cols), as a resize of a real tty would. */
  resizeTerminal(cols: number, rows: number): Promise<void>;
  destroy(): Promise<void>;
}
