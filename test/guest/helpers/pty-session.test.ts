// The pseudo-terminal driver the interactive native tests rely on: an expect sees only what the
// program printed after the last send, never the terminal's echo of the typing.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../scripts/lib/cache.ts';

const PTY = join(repoRoot, 'test', 'guest', 'helpers', 'pty-session.py');
const python = spawnSync('python3', ['--version']).status === 0;
if (!python && process.env.CI === 'true') throw new Error('python3 (for a pseudo-terminal) missing under CI=true');

function run(steps: unknown[], ...command: string[]) {
  const r = spawnSync('python3', [PTY, JSON.stringify(steps), ...command], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stderr: r.stderr, result: r.status === 0 ? JSON.parse(r.stdout) as { steps: boolean[]; exit: number | null; output: string } : null };
}

describe.skipIf(!python)('pty-session.py', () => {
  it('an expect does not match output printed before the last send', () => {
    const r = run([{ expect: 'ready' }, { send: 'x\r', expect: 'ready', timeout: 1 }, { send: 'y\r', expect: 'got y' }],
      'sh', '-c', 'echo ready; read a; read b; echo got $b');
    expect(r.result?.steps, r.stderr).toEqual([true, false, true]);
    expect(r.result?.exit).toBe(0);
  });

  it('an expect that only the echo of the typing could satisfy is refused', () => {
    // `cat` with echo on would print the line twice; the driver must refuse rather than pass
    for (const steps of [[{ send: 'hello\r', expect: 'hello' }], [{ send: 'hello\r' }, { expect: 'llo\r\n' }], [{ send: '\u0003', expect: '^C' }]]) {
      const r = run(steps, 'cat');
      expect(r.status, JSON.stringify(steps)).not.toBe(0);
      expect(r.stderr).toContain('echo');
    }
  });

  it('an expect matches what the program prints after the send', () => {
    const r = run([{ send: 'echo $((6*7))\r', expect: '42\r\n' }, { send: 'exit 4\r' }], 'sh');
    expect(r.result?.steps, r.result?.output).toEqual([true]);
    expect(r.result?.exit).toBe(4);
  });
});
