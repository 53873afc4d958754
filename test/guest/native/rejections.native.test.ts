// The runtime's promise rejection tracker (native/main.c), on the real i386 build: a rejection
// whose handler arrives a few microtasks later (an async function that throws before its first
// await, awaited by its caller) must not end the process, as it did with QuickJS's stock tracker
// and took dockerd down with it; one that stays unhandled still ends it with status 1 and says why.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../../scripts/lib/cache.ts';
import { skipOutsideCi } from '../../helpers/ci.ts';

const runner = join(repoRoot, 'vm-images/dist/runtime/whalebone-run');
const skip = skipOutsideCi(existsSync(runner) ? null : 'vm-images/dist/runtime/whalebone-run is missing: run npm run build:runtime', 'the rejection tracker test');
const work = mkdtempSync(join(tmpdir(), 'wb-reject-'));

function run(source: string): { status: number | null; stdout: string; stderr: string } {
  const file = join(work, `t${Math.random().toString(36).slice(2)}.js`);
  writeFileSync(file, source);
  const r = spawnSync(runner, [file], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(skip)('unhandled promise rejections in the runtime', () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('a handler attached microtasks after the rejection keeps the process alive', () => {
    const r = run(`import * as os from 'os';
async function early() { throw new Error('before the first await'); }
const p = early();
Promise.resolve().then(() => null).then(() => p.catch((e) => print('caught: ' + e.message)));
async function caller() { try { await early(); } catch (e) { print('awaited: ' + e.message); } }
caller().then(() => os.setTimeout(() => print('done'), 50));
`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('awaited: before the first await\ncaught: before the first await\ndone\n');
    expect(r.status).toBe(0);
  });

  it('a rejection nobody handles still ends the process with status 1 and its error', () => {
    const r = run(`import * as os from 'os';
Promise.reject(new Error('nobody listens'));
os.setTimeout(() => print('still running'), 200);
`);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unhandled promise rejection: Error: nobody listens');
  });
});
