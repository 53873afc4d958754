// Compose v2's progress display on stderr. On a terminal: a block redrawn in place, headed
// `[+] Running 2/4`, one line per object (` ✔ Container wordpress-db-1  Started  0.5s`). Without
// one (pipes, CI): each event as a line of its own (` Container wordpress-db-1  Started`).

export interface ProgressOutput {
  write(s: string): void;
  tty: boolean;
  /** Terminal columns (for the timer column). */
  columns: number;
  now(): number;
}

interface Entry {
  id: string;
  status: string;
  state: 'working' | 'done' | 'error';
  started: number;
  ended: number;
}

const DONE = '\u2714';
const ERROR = '\u2718';
const SPIN = ['\u280b', '\u2819', '\u2839', '\u2838', '\u283c', '\u2834', '\u2826', '\u2827', '\u2807', '\u280f'];

export class Progress {
  private entries: Entry[] = [];
  private drawn = 0;
  private tick = 0;
  constructor(
    private out: ProgressOutput,
    private title = 'Running',
  ) {}

  /** `working` for Creating/Starting/Stopping..., `done` for Created/Started, `error` for a failure. */
  event(id: string, status: string, state: Entry['state'] = 'done'): void {
    let e = this.entries.find((x) => x.id === id);
    const now = this.out.now();
    if (!e) {
      e = { id, status, state, started: now, ended: now };
      this.entries.push(e);
    }
    e.status = status;
    e.state = state;
    if (state !== 'working') e.ended = now;
    if (this.out.tty) this.draw();
    else this.out.write(` ${id}  ${status}\n`);
  }

  working(id: string, status: string): void {
    this.event(id, status, 'working');
  }

  done(id: string, status: string): void {
    this.event(id, status, 'done');
  }

  error(id: string, status: string): void {
    this.event(id, status, 'error');
  }

  get empty(): boolean {
    return this.entries.length === 0;
  }

  private draw(): void {
    const done = this.entries.filter((e) => e.state !== 'working').length;
    const lines = [`[+] ${this.title} ${done}/${this.entries.length}`];
    const idWidth = Math.max(...this.entries.map((e) => e.id.length));
    const now = this.out.now();
    this.tick++;
    for (const e of this.entries) {
      const icon = e.state === 'done' ? DONE : e.state === 'error' ? ERROR : SPIN[this.tick % SPIN.length]!;
      const secs = ((e.state === 'working' ? now : e.ended) - e.started) / 1000;
      const left = ` ${icon} ${e.id.padEnd(idWidth)}  ${e.status}`;
      const timer = `${secs.toFixed(1)}s`;
      const pad = Math.max(1, Math.min(this.out.columns, 100) - left.length - timer.length - 1);
      lines.push(left + ' '.repeat(pad) + timer);
    }
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    this.out.write(up + lines.map((l) => `\r${l}\x1b[K\n`).join(''));
    this.drawn = lines.length;
  }
}
