import { describe, expect, it } from 'vitest';
import { DetachWatcher, encodeFrame, FrameReader, FrameType, frameJson, jsonFrame, parseDetachKeys, formatStatus, parseStatus } from '../../../src/guest/shim/proto.ts';

describe('shim control socket frames', () => {
  it('uses Docker\'s 8-byte stream header, so output frames pass to a non-tty client unchanged', () => {
    const f = encodeFrame(FrameType.Stdout, 'hi\n');
    expect([...f.subarray(0, 8)]).toEqual([1, 0, 0, 0, 0, 0, 0, 3]);
    expect(new TextDecoder().decode(f.subarray(8))).toBe('hi\n');
  });

  it('cuts frames out of a stream that arrives in arbitrary pieces', () => {
    const all = new Uint8Array([...jsonFrame(FrameType.Hello, { op: 'start' }), ...encodeFrame(FrameType.Stdin, 'abc'), ...encodeFrame(FrameType.StdinClose)]);
    const r = new FrameReader();
    const got: { type: number; payload: Uint8Array }[] = [];
    for (let i = 0; i < all.length; i += 3) got.push(...r.push(all.subarray(i, i + 3)));
    expect(got.map((f) => f.type)).toEqual([FrameType.Hello, FrameType.Stdin, FrameType.StdinClose]);
    expect(frameJson(got[0]!.payload)).toEqual({ op: 'start' });
    expect(new TextDecoder().decode(got[1]!.payload)).toBe('abc');
    expect(got[2]!.payload.length).toBe(0);
    expect(r.pending).toBe(0);
  });
});

describe('detach keys', () => {
  it('parses Docker\'s key names', () => {
    expect(parseDetachKeys('ctrl-p,ctrl-q')).toEqual([16, 17]);
    expect(parseDetachKeys('ctrl-a,x')).toEqual([1, 120]);
    expect(parseDetachKeys('ctrl-@,ctrl-[')).toEqual([0, 27]);
    expect(parseDetachKeys('')).toEqual([]);
    expect(() => parseDetachKeys('ctrl-p,ctrl-1x')).toThrow('Invalid detach keys (ctrl-p,ctrl-1x) provided');
  });

  it('holds back a partial sequence and passes it on when it breaks off', () => {
    const w = new DetachWatcher([16, 17]);
    expect(w.push(Uint8Array.of(97, 16))).toEqual({ pass: Uint8Array.of(97), detach: false });
    expect(w.push(Uint8Array.of(98))).toEqual({ pass: Uint8Array.of(16, 98), detach: false });
    expect(w.push(Uint8Array.of(16, 16))).toEqual({ pass: Uint8Array.of(16), detach: false });
    expect(w.push(Uint8Array.of(17, 99))).toEqual({ pass: Uint8Array.of(), detach: true });
  });

  it('passes everything when no keys are set', () => {
    const w = new DetachWatcher([]);
    expect(w.push(Uint8Array.of(16, 17)).detach).toBe(false);
  });
});

describe('shim status lines', () => {
  it('are the lines dockerd reads, and parse back', () => {
    expect(formatStatus({ kind: 'created', pid: 42 })).toBe('created 42');
    expect(formatStatus({ kind: 'exited', code: 137 })).toBe('exited 137');
    const err = formatStatus({ kind: 'error', message: 'exec: "nope": executable file not found in $PATH', exitCode: 127 });
    expect(err).toBe('error {"message":"exec: \\"nope\\": executable file not found in $PATH","exitCode":127}');
    expect(parseStatus(err)).toEqual({ kind: 'error', message: 'exec: "nope": executable file not found in $PATH', exitCode: 127 });
    expect(parseStatus('created 42')).toEqual({ kind: 'created', pid: 42 });
    // the pipe closed without a word
    expect(parseStatus('')).toBeNull();
  });
});
