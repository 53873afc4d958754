import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withLock } from '../../../scripts/vm-build/lock.ts';

describe('build lock', () => {
  it('runs holders one at a time and releases the lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-test-'));
    const lock = join(dir, 'x.lock');
    const events: string[] = [];
    const job = (name: string) =>
      withLock('test', lock, async () => {
        events.push(`${name} in`);
        await new Promise((r) => setTimeout(r, 30));
        events.push(`${name} out`);
      }, 10);
    await Promise.all([job('a'), job('b')]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(existsSync(lock)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes over a lock whose owner process is gone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-test-'));
    const lock = join(dir, 'x.lock');
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), '999999999'); // no such process
    expect(await withLock('test', lock, async () => 'ran', 10)).toBe('ran');
    rmSync(dir, { recursive: true, force: true });
  });
});
