// LatestWriter: the newest value is stored without a write per change, never more than one
// write behind, and flush() sends it at once (the page is going away).
import { describe, expect, it } from 'vitest';
import { LatestWriter } from '../../../src/app/stores/latest-writer.ts';

/** A store whose writes finish only when the test says so. */
function slowStore() {
  const stored: string[] = [];
  const open: { value: string; finish: () => void }[] = [];
  const write = (value: string) =>
    new Promise<void>((resolve) =>
      open.push({
        value,
        finish: () => {
          stored.push(value);
          resolve();
        },
      }),
    );
  const finishNext = async () => {
    open.shift()!.finish();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { stored, open, write, finishNext };
}

describe('LatestWriter', () => {
  it('writes at once, then only the newest of the values set during a write', async () => {
    const s = slowStore();
    const w = new LatestWriter(s.write);
    w.set('a');
    expect(s.open.map((o) => o.value)).toEqual(['a']);
    w.set('ab');
    w.set('abc');
    expect(s.open.length).toBe(1);
    await s.finishNext();
    expect(s.open.map((o) => o.value)).toEqual(['abc']);
    const settled = w.settled();
    await s.finishNext();
    await settled;
    expect(s.stored).toEqual(['a', 'abc']);
  });

  it('flush sends the newest value beside the write in flight; nothing is written twice', async () => {
    const s = slowStore();
    const w = new LatestWriter(s.write);
    w.set('a');
    w.set('ab');
    w.flush();
    expect(s.open.map((o) => o.value)).toEqual(['a', 'ab']);
    w.flush();
    expect(s.open.length).toBe(2);
    await s.finishNext();
    await s.finishNext();
    expect(s.stored).toEqual(['a', 'ab']);
    expect(s.open).toEqual([]);
  });

  it('a failed write is reported and the next value is still written', async () => {
    const errors: unknown[] = [];
    const stored: string[] = [];
    let fail = true;
    const w = new LatestWriter(
      async (v: string) => {
        if (fail) {
          fail = false;
          throw new Error('quota exceeded');
        }
        stored.push(v);
      },
      (e) => errors.push(e),
    );
    w.set('a');
    w.set('b');
    await w.settled();
    expect(errors.map((e) => (e as Error).message)).toEqual(['quota exceeded']);
    expect(stored).toEqual(['b']);
  });
});
