import { describe, expect, it } from 'vitest';
import { ControlChannel } from '../../src/vm/control.ts';
import { decodeSnapshot, SnapshotError } from '../../src/vm/inspect.ts';
import { toBase64 } from '../../src/vm/protocol.ts';

const enc = new TextEncoder();
function frame(nonce: string, out: string, err: string, code: number): Uint8Array {
  const o = enc.encode(out);
  const e = enc.encode(err);
  return enc.encode(`\x02WB ${nonce} O ${o.length}\n${toBase64(o)}\n\x02WB ${nonce} E ${e.length}\n${toBase64(e)}\n\x02WB ${nonce} X ${code}\n`);
}

const SNAP = {
  v: 1,
  t: 1234,
  costMs: 12.5,
  nsKinds: ['pid', 'mnt', 'net', 'uts', 'ipc', 'user', 'cgroup'],
  procs: [{ pid: 1, ppid: 0, comm: 'init', state: 'S', cmd: 'init', ns: [1, 2, 3, 4, 5, 6, 7], cg: '/', cpu: 9 }],
  cgroups: [{ path: '/', memCur: null, memMax: null, pidsCur: null, pidsMax: null, cpuUsec: 5, oomKill: null, procs: 1 }],
  containers: [],
};

describe('inspector snapshots on the control channel', () => {
  it('sends an I request and resolves to the stdout of its answer', async () => {
    const sent: string[] = [];
    let ch!: ControlChannel;
    ch = new ControlChannel({ send: (b) => sent.push(new TextDecoder().decode(b)) });
    const p = ch.inspect(2000);
    const nonce = /^I (\S+)\n$/.exec(sent[0]!)![1]!;
    ch.feed(frame(nonce, JSON.stringify(SNAP), '', 0));
    const s = decodeSnapshot(await p);
    expect(s.processes[0]!.ns).toEqual({ pid: 1, mnt: 2, net: 3, uts: 4, ipc: 5, user: 6, cgroup: 7 });
    expect(s.costMs).toBe(12.5);
  });

  it('takes the answer as one J line of UTF-8 JSON, whatever the chunking', async () => {
    const sent: string[] = [];
    const ch = new ControlChannel({ send: (b) => sent.push(new TextDecoder().decode(b)) });
    const p = ch.inspect(2000);
    const nonce = /^I (\S+)\n$/.exec(sent[0]!)![1]!;
    const body = { ...SNAP, procs: [{ ...SNAP.procs[0], cmd: 'echo é ✓ "q" \n' }], pad: 'x'.repeat(100_000) };
    const bytes = enc.encode(`\x1b[6n noise\n\x02WB ${nonce} J ${JSON.stringify(body)}\n`);
    for (let i = 0; i < bytes.length; i += 4093) ch.feed(bytes.subarray(i, i + 4093));
    const s = decodeSnapshot(await p);
    expect(s.processes[0]!.cmd).toBe('echo é ✓ "q" \n');
  });

  it("fails with the agent's message, and times out against an agent that does not know the request", async () => {
    const sent: string[] = [];
    const ch = new ControlChannel({ send: (b) => sent.push(new TextDecoder().decode(b)) });
    const p = ch.inspect(2000);
    ch.feed(frame(/^I (\S+)/.exec(sent[0]!)![1]!, '', 'control-agent: boom\n', 125));
    await expect(p).rejects.toThrow(/inspect: control-agent: boom/);
    await expect(ch.inspect(50)).rejects.toThrow(/did not answer within 50 ms/);
    expect(ch.busy).toBe(false);
  });

  it('rejects damaged or foreign snapshots with a clear error', () => {
    expect(() => decodeSnapshot('{')).toThrow(SnapshotError);
    expect(() => decodeSnapshot(JSON.stringify({ ...SNAP, v: 2 }))).toThrow(/version 2/);
    expect(() => decodeSnapshot(JSON.stringify({ ...SNAP, procs: [{ ...SNAP.procs[0], pid: 'x' }] }))).toThrow(/procs\[0\]\.pid: not a number/);
    expect(() => decodeSnapshot(JSON.stringify({ ...SNAP, cgroups: 'no' }))).toThrow(/snapshot\.cgroups: not a list/);
  });

  it('maps namespace inodes by the kinds the guest lists, whatever their order', () => {
    const s = decodeSnapshot(JSON.stringify({ ...SNAP, nsKinds: ['net', 'pid'], procs: [{ ...SNAP.procs[0], ns: [30, 10] }] }));
    expect(s.processes[0]!.ns).toEqual({ pid: 10, mnt: 0, net: 30, uts: 0, ipc: 0, user: 0, cgroup: 0 });
  });
});
