// A cross-process lock for build steps that share a work folder (the kernel tree): several
// engineers and test runs start `npm run build:vm` on one machine, and two `make`s in one tree
// corrupt each other's output.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log } from '../lib/progress.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function withLock<T>(scope: string, lockDir: string, fn: () => Promise<T>, pollMs = 5000): Promise<T> {
  let told = false;
  for (;;) {
    try {
      mkdirSync(lockDir); // atomic: exactly one process creates it
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
      } catch {
        // the owner has created the folder but not yet written its pid
      }
      if (Number.isInteger(owner) && owner > 0 && !alive(owner)) {
        log(scope, `removing a stale lock of process ${owner}`);
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!told) log(scope, `waiting for another build (process ${Number.isNaN(owner) ? '?' : owner}) that holds ${lockDir}`);
      told = true;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}
