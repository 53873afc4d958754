// The CLI's drawing of BuildKit-style progress (SolveStatus updates from the daemon), as
// `docker build` shows it: on a terminal a screen redrawn in place ("[+] Building 12.3s (7/7)
// FINISHED", " => CACHED [2/3] RUN ...", the last lines of a running step's output); piped or with
// --progress=plain, BuildKit's plain log ("#5 [2/3] RUN ...", "#5 0.215 output", "#5 DONE 0.3s").

import type { SolveStatus, Vertex, VertexStatus } from './trace.ts';

export type ProgressMode = 'tty' | 'plain' | 'quiet';

interface VState {
  v: Vertex;
  n: number;
  statuses: VertexStatus[];
  logs: { at: string; text: string }[];
  /** Plain mode: the partial last log line, and whether the header was printed. */
  pending: string;
  announced: boolean;
  ended: boolean;
}

const secs = (ms: number): string => `${(Math.max(0, ms) / 1000).toFixed(1)}s`;

export class ProgressRenderer {
  private vertices = new Map<string, VState>();
  private order: VState[] = [];
  private started: number;
  private drawnLines = 0;
  private lastDraw = 0;
  private plainCurrent: VState | null = null;

  constructor(
    private mode: ProgressMode,
    private write: (s: string) => void,
    private now: () => number,
    private width = 80,
  ) {
    this.started = now();
    if (mode === 'plain') this.write('#0 building with "default" instance using docker driver\n\n');
  }

  update(st: SolveStatus): void {
    const touched: VState[] = [];
    for (const v of st.vertexes) {
      let s = this.vertices.get(v.digest);
      if (!s) {
        s = { v: { ...v }, n: this.order.length + 1, statuses: [], logs: [], pending: '', announced: false, ended: false };
        this.vertices.set(v.digest, s);
        this.order.push(s);
      } else s.v = { ...s.v, ...v };
      if (this.mode === 'plain' && !s.announced) this.plainHeader(s);
      touched.push(s);
    }
    for (const x of st.statuses) {
      const s = this.vertices.get(x.vertex);
      if (!s) continue;
      const i = s.statuses.findIndex((y) => y.id === x.id);
      if (i >= 0) s.statuses[i] = { ...s.statuses[i]!, ...x };
      else s.statuses.push({ ...x });
      if (this.mode === 'plain' && x.completed !== undefined) {
        this.plainHeader(s);
        const took = x.started !== undefined && x.completed - x.started >= 50 ? ` ${secs(x.completed - x.started)}` : '';
        this.write(`#${s.n} ${x.id}${took} done\n`);
      }
    }
    for (const l of st.logs) {
      const s = this.vertices.get(l.vertex);
      if (!s) continue;
      const text = s.pending + l.data;
      const lines = text.split('\n');
      s.pending = lines.pop() ?? '';
      const at = ((l.timestamp - (s.v.started ?? l.timestamp)) / 1000).toFixed(3);
      for (const line of lines) {
        s.logs.push({ at, text: line });
        if (this.mode === 'plain') {
          this.plainHeader(s);
          this.write(`#${s.n} ${at} ${line}\n`);
        }
      }
      if (s.logs.length > 200) s.logs.splice(0, s.logs.length - 200);
    }
    // completions last: a vertex's statuses and logs of the same update print before its DONE
    if (this.mode === 'plain') for (const s of touched) this.plainVertex(s);
    if (this.mode === 'tty' && this.now() - this.lastDraw >= 100) this.draw(false);
  }

  private plainHeader(s: VState): void {
    if (this.plainCurrent && this.plainCurrent !== s && this.plainCurrent.announced && !this.plainCurrent.ended) this.write('\n');
    if (!s.announced || this.plainCurrent !== s) this.write(`#${s.n} ${s.v.name}\n`);
    s.announced = true;
    this.plainCurrent = s;
  }

  private plainVertex(s: VState): void {
    if (!s.announced) this.plainHeader(s);
    if (s.v.completed === undefined || s.ended) return;
    this.plainHeader(s);
    if (s.pending) {
      this.write(`#${s.n} ${s.pending}\n`);
      s.pending = '';
    }
    if (s.v.error) this.write(`#${s.n} ERROR: ${s.v.error}\n`);
    else if (s.v.cached) this.write(`#${s.n} CACHED\n`);
    else this.write(`#${s.n} DONE ${secs(s.v.completed - (s.v.started ?? s.v.completed))}\n`);
    this.write('\n');
    s.ended = true;
    this.plainCurrent = null;
  }

  private line(left: string, right: string): string {
    const room = Math.max(10, this.width - right.length - 1);
    const l = left.length > room ? `${left.slice(0, room - 3)}...` : left.padEnd(room);
    return `${l} ${right}`;
  }

  /** The terminal screen: header, one line per vertex (sub-statuses and a running step's output under it). */
  private screen(finished: boolean): string[] {
    const t = this.now();
    const done = this.order.filter((s) => s.v.completed !== undefined).length;
    const state = finished ? ' FINISHED' : '';
    const out = [this.line(`[+] Building ${secs(t - this.started)} (${done}/${this.order.length})${state}`, 'docker:default')];
    for (const s of this.order) {
      const end = s.v.completed ?? t;
      const took = secs(end - (s.v.started ?? end));
      const prefix = s.v.error ? ' => ERROR ' : s.v.cached ? ' => CACHED ' : ' => ';
      out.push(this.line(`${prefix}${s.v.name}`, s.v.cached ? '0.0s' : took));
      for (const x of s.statuses) out.push(this.line(` => => ${x.id}`, secs((x.completed ?? t) - (x.started ?? t))));
      if (s.v.completed === undefined && !finished) {
        for (const l of s.logs.slice(-6)) out.push(` => => # ${l.text}`.slice(0, this.width));
      }
    }
    return out;
  }

  private draw(finished: boolean): void {
    this.lastDraw = this.now();
    const lines = this.screen(finished);
    let s = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A\r` : '';
    for (const l of lines) s += `${l}\x1b[K\n`;
    // a screen shorter than the last one leaves old lines below: clear them
    if (this.drawnLines > lines.length) s += '\x1b[J';
    this.write(s);
    this.drawnLines = lines.length;
  }

  /** The last screen (tty) or the failing step's output (both), after the build ended. */
  finish(error: string | null): void {
    if (this.mode === 'tty') this.draw(true);
    if (this.mode === 'quiet' || error === null) return;
    const failed = this.order.find((s) => s.v.error);
    if (failed) {
      this.write('------\n');
      this.write(` > ${failed.v.name}:\n`);
      for (const l of failed.logs.slice(-10)) this.write(`${l.at} ${l.text}\n`);
      this.write('------\n');
    }
  }
}

/** The size as the client prints "Sending build context to Docker daemon  2.048kB". */
export function contextSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  const s = v.toPrecision(4);
  return `${s.includes('.') ? s.replace(/\.?0+$/, '') : s}${units[i]}`;
}
