// BuildKit-style progress as data: vertices (one per shown step, with start and end times and
// whether they came from the cache), their log lines and their sub-statuses, as BuildKit's
// SolveStatus carries them. The daemon builds these from BuildEvents (for our CLI, which asks for
// them with version=2) and the CLI draws them (render.ts); JSON rather than BuildKit's protobuf.

import type { BuildEvent } from '../executor/events.ts';

export interface Vertex {
  digest: string;
  name: string;
  started?: number;
  completed?: number;
  cached?: boolean;
  error?: string;
}

export interface VertexStatus {
  id: string;
  vertex: string;
  started?: number;
  completed?: number;
}

export interface VertexLog {
  vertex: string;
  data: string;
  timestamp: number;
}

export interface SolveStatus {
  vertexes: Vertex[];
  statuses: VertexStatus[];
  logs: VertexLog[];
}

export const TRACE_ID = 'moby.buildkit.trace';

/** Turns BuildEvents into SolveStatus updates (each update carries only what changed). */
export class TraceWriter {
  private seq = 0;
  private current: Vertex | null = null;
  /** Output of metadata steps goes nowhere in BuildKit's display; RUN output to its vertex. */
  private exportVertex: Vertex | null = null;
  private lastStatus: VertexStatus | null = null;

  constructor(
    private send: (s: SolveStatus) => void,
    private now: () => number,
  ) {}

  private vertex(name: string): Vertex {
    return { digest: `sha256:v${++this.seq}`, name, started: this.now() };
  }

  private finish(error?: string): void {
    const v = this.current;
    if (!v) return;
    v.completed = this.now();
    if (error) v.error = error;
    this.send({ vertexes: [{ ...v }], statuses: [], logs: [] });
    this.current = null;
  }

  fail(message: string): void {
    this.finish(message);
  }

  event(e: BuildEvent): void {
    const t = this.now();
    switch (e.kind) {
      case 'internal': {
        this.finish();
        const v = this.vertex(e.name);
        const statuses: VertexStatus[] = e.detail ? [{ id: e.detail, vertex: v.digest, started: t, completed: t }] : [];
        v.completed = this.now();
        this.send({ vertexes: [v], statuses, logs: [] });
        return;
      }
      case 'step':
        this.finish();
        if (e.step.vertex) {
          this.current = this.vertex(e.step.vertex);
          this.send({ vertexes: [{ ...this.current }], statuses: [], logs: [] });
        }
        return;
      case 'pull':
        if (this.current) this.send({ vertexes: [], statuses: [], logs: [{ vertex: this.current.digest, data: `${e.text}\n`, timestamp: t }] });
        return;
      case 'cached':
        if (this.current) {
          this.current.cached = true;
          this.finish();
        }
        return;
      case 'output':
        if (this.current) this.send({ vertexes: [], statuses: [], logs: [{ vertex: this.current.digest, data: e.text, timestamp: t }] });
        return;
      case 'warning':
        return;
      case 'step-done':
        this.finish();
        return;
      case 'export': {
        if (e.phase === 'start') {
          this.finish();
          this.exportVertex = this.vertex('exporting to image');
          this.send({ vertexes: [{ ...this.exportVertex }], statuses: [], logs: [] });
          return;
        }
        const v = this.exportVertex;
        if (!v) return;
        if (this.lastStatus) {
          this.lastStatus.completed = t;
          this.send({ vertexes: [], statuses: [{ ...this.lastStatus }], logs: [] });
          this.lastStatus = null;
        }
        if (e.phase === 'done') {
          v.completed = t;
          this.send({ vertexes: [{ ...v }], statuses: [], logs: [] });
          this.exportVertex = null;
          return;
        }
        const id = e.phase === 'layers' ? 'exporting layers' : e.phase === 'image' ? `writing image ${e.detail}` : `naming to ${e.detail}`;
        this.lastStatus = { id, vertex: v.digest, started: t };
        this.send({ vertexes: [], statuses: [{ ...this.lastStatus }], logs: [] });
        return;
      }
      default:
        return;
    }
  }
}
