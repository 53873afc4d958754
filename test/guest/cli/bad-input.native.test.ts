// Wrong invocations of every command group, answered as the official Docker client answers them:
// the same message on stderr and the same exit code, both clients against our dockerd on this
// host. Usage errors are the client's own words (and exit 125 or 1 as it gives them); daemon
// errors are "Error response from daemon: ..." with the daemon's message.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerdSkipReason, startDockerd, type NativeDockerd } from '../helpers/native-dockerd.ts';

const skip = dockerdSkipReason();
let d: NativeDockerd;
// a HOME of its own: no config of this machine's user changes the official client's answers
const home = mkdtempSync(join(tmpdir(), 'wb-bad-home-'));

function docker(args: string[], official: boolean) {
  const r = d.docker(args, official);
  return { code: r.code, stderr: r.stderr };
}

// Left out: `run --network nonet`, where the official client, seeing a 404 from create, pulls the
// image and tries again: moby checks networks when the container starts, ours at create.

/** Each: arguments, and what must match (the whole stderr, or its first line for usage texts). */
const CASES: [string[], 'all' | 'first'][] = [
  [['run', '--nope', 'busybox'], 'all'],
  [['run'], 'all'],
  [['run', '-m', 'lots', 'busybox'], 'all'],
  [['run', '-p', '99999:80', 'busybox'], 'all'],
  [['run', 'UPPER'], 'all'],
  [['run', '--restart', 'sometimes', 'busybox'], 'all'],
  [['create'], 'all'],
  [['start', 'ghost'], 'all'],
  [['stop'], 'all'],
  [['stop', 'ghost'], 'all'],
  [['restart', 'ghost'], 'all'],
  [['kill', 'ghost'], 'all'],
  [['rm', 'ghost'], 'all'],
  [['rm'], 'all'],
  [['logs', 'ghost'], 'all'],
  [['logs'], 'all'],
  [['inspect', 'ghost'], 'all'],
  [['exec', 'ghost', 'true'], 'all'],
  [['exec', 'ghost'], 'all'],
  [['top', 'ghost'], 'all'],
  [['port', 'ghost'], 'all'],
  [['wait', 'ghost'], 'all'],
  [['rename', 'ghost', 'x'], 'all'],
  [['rename', 'a'], 'all'],
  [['container', 'inspect', 'ghost'], 'all'],
  [['port'], 'all'],
  [['ps', 'extra'], 'all'],
  [['commit', 'ghost'], 'all'],
  [['cp', 'ghost:/x', '/tmp/x'], 'all'],
  [['pull', 'Bad:Name'], 'all'],
  [['pull', 'nosuchimage'], 'all'],
  [['rmi', 'nosuchimage'], 'all'],
  [['tag', 'nosuchimage', 'x'], 'all'],
  [['history', 'nosuchimage'], 'all'],
  [['image', 'inspect', 'nosuchimage'], 'all'],
  [['save', 'nosuchimage', '-o', '/tmp/x.tar'], 'all'],
  [['volume', 'rm', 'novol'], 'all'],
  [['volume', 'inspect', 'novol'], 'all'],
  [['volume', 'create', '--nope'], 'all'],
  [['network', 'rm', 'nonet'], 'all'],
  [['network', 'inspect', 'nonet'], 'all'],
  [['network', 'create'], 'all'],
  [['network', 'create', '--subnet', 'bogus', 'n1'], 'all'],
  [['ps', '--filter', 'bogus=1'], 'all'],
  [['ps', '--format', '{{.Nope}}'], 'first'],
  [['images', '--nope'], 'all'],
  [['system', 'prune', '--nope'], 'all'],
  [['events', '--since', 'yesterday-ish'], 'all'],
];

describe.skipIf(skip !== null)(`wrong invocations answered as the official client answers${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    d = await startDockerd('wb-bad-', { noBridge: true, env: { DOCKER_CLI_HINTS: 'false', HOME: home } });
    expect(docker(['pull', '-q', 'busybox'], false).code).toBe(0);
  });
  afterAll(() => {
    d?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('ends quietly when its output goes nowhere (docker events | head), as the official client does', async () => {
    // the reader is gone before the client writes: the pull above is an event to print at once
    const closedOutput = (official: boolean) =>
      new Promise<{ status: number | null; stderr: string }>((done) => {
        const [cmd, ...pre] = d.client(official);
        const child = spawn(cmd!, [...pre, 'events', '--since', '0'], { env: d.env, stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.destroy();
        let stderr = '';
        child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        // the exit status a shell shows: 128 + the signal's number for a killed process
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          done({ status: code ?? 128 + (signal ? constants.signals[signal] : 0), stderr });
        });
      });
    const theirs = await closedOutput(true);
    expect(theirs).toEqual({ status: 141, stderr: '' });
    expect(await closedOutput(false)).toEqual(theirs);
  });

  for (const [args, part] of CASES) {
    it(`docker ${args.join(' ')}`, () => {
      const theirs = docker(args, true);
      const ours = docker(args, false);
      const pick = (s: string) => (part === 'all' ? s : s.split('\n')[0]);
      expect({ code: ours.code, stderr: pick(ours.stderr) }).toEqual({ code: theirs.code, stderr: pick(theirs.stderr) });
    });
  }
});
