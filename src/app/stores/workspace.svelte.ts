// The lesson's files as the editor sees them: the lab folder's listing (polled from the guest),
// the open file and its text, and saving an edit back into the guest.
import type { ExecOptions, ExecResult } from '../../vm/types.ts';
import { shellQuote } from '../../lessons/runner.ts';
import { changedFiles, parseStatLines, type GuestFile } from '../logic.ts';

/** What the workspace needs of the VM session. */
export interface WorkspaceGuest {
  /** The guest takes requests (see VmSession.running). */
  readonly running: boolean;
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
}

/**
 * How long a listing or a file read may take. The guest may be busy (a build, an apt-get) and the
 * learner's machine slow: a few small reads are no reason to give up early.
 */
const GUEST_READ_MS = 30_000;

export class Workspace {
  files = $state.raw<GuestFile[]>([]);
  openPath = $state<string | null>(null);
  openContent = $state('');
  /** The editor has unsaved changes (bound to the editor). */
  dirty = $state(false);
  /** The lesson's files are in the guest (its setup ran): listing and opening make sense. */
  ready = $state(false);

  // Bumped by each save: a read that started before it may return the old text and is dropped.
  private saves = 0;
  // Bumped by clear(): a listing or a read that started for the previous lesson is dropped, or it
  // would put that lesson's file back in the editor of the next one.
  private epoch = 0;
  private polling: Promise<void> | null = null;
  private pollAgain = false;

  /** guest and workdir (the lesson's folder in the guest) are read at each use: both change. */
  constructor(
    private readonly guestOf: () => WorkspaceGuest,
    private readonly workdir: () => string,
  ) {}

  private guest(): WorkspaceGuest {
    return this.guestOf();
  }

  /** Another lesson: nothing listed or open until it is set up. */
  clear(): void {
    this.epoch++;
    this.files = [];
    this.openPath = null;
    this.openContent = '';
  }

  /**
   * Guest -> editor: lists the lab folder (mtime, size) and reloads the open file when it changed.
   * Resolves once a listing that started after the call has landed.
   */
  poll(): Promise<void> {
    if (!this.ready || !this.guest().running) return Promise.resolve();
    // A request while a listing runs is served by one more listing right after it.
    if (this.polling) {
      this.pollAgain = true;
      return this.polling;
    }
    this.polling = this.listUntilCurrent().finally(() => (this.polling = null));
    return this.polling;
  }

  private async listUntilCurrent(): Promise<void> {
    try {
      do {
        this.pollAgain = false;
        if (!this.ready) return;
        const epoch = this.epoch;
        const dir = this.workdir();
        const r = await this.guest().exec(`find ${shellQuote(dir)} -maxdepth 4 -type f -exec stat -c '%Y %s %n' {} + 2>/dev/null | head -n 300`, { timeoutMs: GUEST_READ_MS });
        if (epoch !== this.epoch) continue;
        const next = parseStatLines(r.stdout, dir);
        const changed = changedFiles(this.files, next);
        this.files = next;
        if (this.openPath && changed.includes(this.openPath) && !this.dirty) await this.open(this.openPath);
      } while (this.pollAgain);
    } catch {
      // The watchdog reports a hung guest; a missed poll is harmless.
    }
  }

  async open(path: string): Promise<void> {
    const before = this.saves;
    const epoch = this.epoch;
    const r = await this.guest().exec(`cat ${shellQuote(`${this.workdir()}/${path}`)}`, { timeoutMs: GUEST_READ_MS });
    if (epoch !== this.epoch) return;
    if (this.saves !== before && path === this.openPath) return;
    this.openPath = path;
    this.openContent = r.stdout;
  }

  /** Resolves once the guest has the file (the editor marks it clean then); throws why not. */
  async save(path: string, text: string): Promise<void> {
    this.saves++;
    const full = `${this.workdir()}/${path}`;
    const r = await this.guest().exec(`mkdir -p "$(dirname ${shellQuote(full)})" && cat > ${shellQuote(full)}`, { stdin: text, timeoutMs: 15_000 });
    if (r.exitCode !== 0) throw new Error(`writing ${full} failed: ${r.stderr.trim()}`);
    this.saves++;
    if (path === this.openPath) this.openContent = text;
  }
}
