// The workspace store against a guest whose answers the test releases one at a time, to order a
// lesson switch between a request and its answer.
import { describe, expect, it } from 'vitest';
import { Workspace, type WorkspaceGuest } from '../../../src/app/stores/workspace.svelte.ts';
import type { ExecResult } from '../../../src/vm/types.ts';

interface Pending {
  command: string;
  answer(stdout: string): void;
}

function heldGuest(): WorkspaceGuest & { pending: Pending[]; next(): Promise<Pending> } {
  const pending: Pending[] = [];
  const waiters: ((p: Pending) => void)[] = [];
  return {
    running: true,
    pending,
    exec(command: string): Promise<ExecResult> {
      return new Promise((resolve) => {
        const p = { command, answer: (stdout: string) => resolve({ exitCode: 0, stdout, stderr: '' } as ExecResult) };
        const w = waiters.shift();
        if (w) w(p);
        else pending.push(p);
      });
    },
    next(): Promise<Pending> {
      const p = pending.shift();
      return p ? Promise.resolve(p) : new Promise((r) => waiters.push(r));
    },
  };
}

describe('workspace', () => {
  it('a file read that answers after a lesson switch does not reopen the old lesson\'s file', async () => {
    const guest = heldGuest();
    let dir = '/root/one';
    const ws = new Workspace(() => guest, () => dir);
    ws.ready = true;
    const opening = ws.open('notes.txt');
    const read = await guest.next();
    expect(read.command).toContain('/root/one/notes.txt');
    ws.clear();
    dir = '/root/two';
    read.answer('old lesson\n');
    await opening;
    expect(ws.openPath).toBeNull();
    expect(ws.openContent).toBe('');
    // The next lesson's own first file opens as usual.
    const next = ws.open('lower/greeting.txt');
    (await guest.next()).answer('hello\n');
    await next;
    expect(ws.openPath).toBe('lower/greeting.txt');
    expect(ws.openContent).toBe('hello\n');
  });

  it('a listing that answers after a lesson switch is dropped; a poll asked for meanwhile lists the new folder', async () => {
    const guest = heldGuest();
    let dir = '/root/one';
    const ws = new Workspace(() => guest, () => dir);
    ws.ready = true;
    const first = ws.poll();
    const stale = await guest.next();
    ws.clear();
    dir = '/root/two';
    const second = ws.poll();
    stale.answer('1 5 /root/one/notes.txt\n');
    const fresh = await guest.next();
    expect(fresh.command).toContain("'/root/two'");
    let settled = false;
    void second.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    fresh.answer('2 6 /root/two/lower/greeting.txt\n');
    await Promise.all([first, second]);
    expect(ws.files.map((f) => f.path)).toEqual(['lower/greeting.txt']);
    expect(ws.openPath).toBeNull();
  });
});
