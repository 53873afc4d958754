import { describe, expect, it } from 'vitest';
import { ChainTrace, CHAIN_TRACE } from '../../../src/guest/agent/chain.ts';
import { parseRequestLine } from '../../../src/guest/agent/request.ts';
import { SIGUSR2, TRACE_SWITCH, readSwitch } from '../../../src/guest/sys/trace.ts';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { encodeRequest } from '../../../src/vm/protocol.ts';
import { decodeChainAnswer } from '../../../src/vm/chain.ts';

const append = (sys: FakeSyscalls, text: string) => {
  const old = new TextDecoder().decode(sys.readFile(CHAIN_TRACE));
  sys.addFile(CHAIN_TRACE, old + text);
};

describe('the agent side of the engine chain trace', () => {
  it('turns tracing on for new processes and nudges the running dockerd', () => {
    const sys = new FakeSyscalls();
    sys.addDir('/var/run');
    sys.addFile('/var/run/docker.pid', '321\n');
    expect(readSwitch(sys)).toBeNull();
    expect(new ChainTrace(sys).handle('on')).toEqual({ on: true, text: '' });
    expect(readSwitch(sys)).toEqual({ file: CHAIN_TRACE, mode: 'chain' });
    expect(new TextDecoder().decode(sys.readFile(CHAIN_TRACE))).toBe('');
    expect(sys.callsOf('kill')).toContainEqual([321, SIGUSR2]);
  });

  it('hands out whole lines once each, and nothing after off', () => {
    const sys = new FakeSyscalls();
    sys.addDir('/var/run');
    const c = new ChainTrace(sys);
    c.handle('on');
    append(sys, '10.00 5 docker # start docker ps\n10.50 5 docker # http GET /v1.47/contai');
    expect(c.handle('read')).toEqual({ on: true, text: '10.00 5 docker # start docker ps\n' });
    append(sys, 'ners/json\n');
    expect(c.handle('read').text).toBe('10.50 5 docker # http GET /v1.47/containers/json\n');
    expect(c.handle('read').text).toBe('');
    expect(c.handle('off')).toEqual({ on: false, text: '' });
    expect(sys.statOrNull(TRACE_SWITCH)).toBeNull();
    expect(sys.statOrNull(CHAIN_TRACE)).toBeNull();
    expect(c.handle('read')).toEqual({ on: false, text: '' });
  });

  it('travels as C requests and J answers', () => {
    const line = new TextDecoder().decode(encodeRequest({ kind: 'chain', nonce: 'c1', op: 'read' })).trimEnd();
    expect(line).toBe('C c1 read');
    expect(parseRequestLine(line)).toEqual({ kind: 'chain', nonce: 'c1', op: 'read' });
    expect(parseRequestLine('C c1 nonsense')).toBeNull();
    expect(parseRequestLine('C c1')).toBeNull();
    expect(decodeChainAnswer('{"on":true,"text":"a\\n"}')).toEqual({ on: true, text: 'a\n' });
    expect(() => decodeChainAnswer('{"on":1}')).toThrow(/wrong shape/);
  });
});
