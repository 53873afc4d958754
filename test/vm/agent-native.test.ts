// The guest's control agent (src/guest/agent, in the i386 binary) run natively on this host,
// talking to the real ControlChannel over pipes (no emulator), to test framing and timeouts fast.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readlinkSync } from 'node:fs';
import { ControlChannel } from '../../src/vm/control.ts';
import { decodeSnapshot } from '../../src/vm/inspect.ts';
import { isVmTimeoutError } from '../../src/vm/errors.ts';
import { BINARY, nativeSkipReason } from '../guest/helpers/native.ts';

const skip = nativeSkipReason();

describe.skipIf(skip !== null)(`control agent (natively) with the host control channel${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let child: ChildProcessWithoutNullStreams;
  let ch: ControlChannel;

  beforeAll(async () => {
    child = spawn(BINARY, ['control-agent'], { stdio: ['pipe', 'pipe', 'pipe'] });
    ch = new ControlChannel({ send: (b) => child.stdin.write(b), inlineLimit: 4096 });
    child.stdout.on('data', (d: Buffer) => ch.feed(new Uint8Array(d)));
    await ch.waitReady(5000);
  });
  afterAll(() => {
    child.kill('SIGKILL');
  });

  it('answers pings', async () => {
    await ch.ping(2000);
  });

  it('separates stdout, stderr and the exit code, bytes intact', async () => {
    const r = await ch.exec(`printf 'a\\001\\303\\251\\n'; echo err >&2; exit 7`);
    expect(r).toMatchObject({ stdout: 'a\x01é\n', stderr: 'err\n', exitCode: 7 });
  });

  it('passes stdin, cwd and env', async () => {
    const r = await ch.exec('wc -c; pwd; echo "$GREETING"', { stdin: 'x'.repeat(3000), cwd: '/', env: { GREETING: "it's me" } });
    expect(r.stdout.split('\n').map((s) => s.trim())).toEqual(['3000', '/', "it's me", '']);
  });

  it('times out a hung command with VmTimeoutError, kills it, and serves the next request', async () => {
    const err = await ch.exec('echo $$ >/tmp/wb-agent-test.pid; sleep 30', { timeoutMs: 400 }).catch((e: unknown) => e);
    expect(isVmTimeoutError(err)).toBe(true);
    expect((err as Error).message).toMatch(/timed out after 400 ms/);
    const next = await ch.exec('sleep 0.3; pid=$(cat /tmp/wb-agent-test.pid); kill -0 $pid 2>/dev/null && echo alive || echo gone');
    expect(next.stdout).toBe('gone\n');
  });

  it('answers when the script ends, not when a process it left running does', async () => {
    const t0 = Date.now();
    const r = await ch.exec('(sleep 3; echo late) & echo now');
    expect(r).toMatchObject({ stdout: 'now\n', exitCode: 0 });
    expect(Date.now() - t0).toBeLessThan(2500);
    // and the next request is not disturbed by the late output
    expect((await ch.exec('echo next')).stdout).toBe('next\n');
  });

  it('reports a signal as 128 + its number and reads a script from a file', async () => {
    expect((await ch.exec('kill -TERM $$')).exitCode).toBe(143);
    const big = 'echo ' + 'y'.repeat(5000) + ' | wc -c';
    const stash = new Map<string, Uint8Array>();
    const viaFile = new ControlChannel({
      send: (b) => child.stdin.write(b),
      inlineLimit: 100,
      stash: {
        put: async (name, data) => {
          const path = `/tmp/wb-agent-stash-${name}`;
          (await import('node:fs')).writeFileSync(path, data);
          stash.set(path, data);
          return path;
        },
        remove: async () => undefined,
      },
    });
    child.stdout.on('data', (d: Buffer) => viaFile.feed(new Uint8Array(d)));
    expect((await viaFile.exec(big)).stdout.trim()).toBe('5001');
    expect(stash.size).toBe(1);
  });

  it('keeps concurrent results apart', async () => {
    const rs = await Promise.all([3, 1, 2].map((i) => ch.exec(`sleep 0.${i}; seq 1 500; echo done${i}`)));
    rs.forEach((r, k) => expect(r.stdout.endsWith(`500\ndone${[3, 1, 2][k]}\n`)).toBe(true));
  });

  it("answers an inspector request with this host's processes and their namespaces, read in-process", async () => {
    // a process in a network namespace of its own, started outside the agent
    const other = spawn('unshare', ['--net', 'sleep', '20'], { stdio: 'ignore' });
    try {
      let sleeper: number | undefined;
      for (let i = 0; i < 50 && sleeper === undefined; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const snap = decodeSnapshot(await ch.inspect(5000));
        sleeper = snap.processes.find((p) => p.ppid === other.pid || (p.pid === other.pid && p.cmd.startsWith('sleep')))?.pid;
      }
      const snap = decodeSnapshot(await ch.inspect(5000));
      const ino = (pid: number, kind: string) => Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/${kind}`))![1]);
      const agent = snap.processes.find((p) => p.pid === child.pid);
      expect(agent, 'the agent itself is in the snapshot').toBeDefined();
      expect(agent!.ns.net).toBe(ino(child.pid!, 'net'));
      expect(agent!.ns.pid).toBe(ino(child.pid!, 'pid'));
      expect(sleeper, 'the unshared sleep is in the snapshot').toBeDefined();
      const s = snap.processes.find((p) => p.pid === sleeper)!;
      expect(s.cmd).toBe('sleep 20');
      expect(s.ns.net).toBe(ino(sleeper!, 'net'));
      expect(s.ns.net).not.toBe(agent!.ns.net);
      expect(s.ns.mnt).toBe(agent!.ns.mnt);
      expect(snap.costMs).toBeGreaterThanOrEqual(0);
      // and the channel still runs commands after it
      expect((await ch.exec('echo after')).stdout).toBe('after\n');
    } finally {
      other.kill('SIGKILL');
    }
  });

  it("collects only the parts a request names: the network part reads this host's /proc/net in-process", async () => {
    const snap = decodeSnapshot(await ch.inspect(5000, 'net'));
    expect(snap.parts).toEqual(['net']);
    expect(snap.processes).toEqual([]);
    expect(snap.net).not.toBeNull();
    const self = Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${child.pid}/ns/net`))![1]);
    expect(snap.net!.hostNetns).toBe(self);
    expect(snap.layers).toBeNull();
    const layers = decodeSnapshot(await ch.inspect(5000, 'layers'));
    // the layers part alone, and no error. What it lists is this host's overlay mounts at that
    // moment, which other native test files running beside this one make and remove (a build
    // test's dockerd mounts container roots): so no count is asserted, only their shape.
    expect(layers.parts).toEqual(['layers']);
    expect(layers.processes).toEqual([]);
    expect(layers.net).toBeNull();
    expect(Array.isArray(layers.layers)).toBe(true);
    for (const stack of layers.layers ?? []) expect(stack.merged).toMatch(/^\//);
  });
});
