import { describe, expect, it } from 'vitest';
import { frame } from '../../../src/guest/agent/main.ts';
import { parseRequestLine } from '../../../src/guest/agent/request.ts';
import { ControlParser, encodeRequest } from '../../../src/vm/protocol.ts';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const line = (b: Uint8Array) => text(b).replace(/\n$/, '');

describe('control agent requests', () => {
  it('reads what the host driver sends: inline, one-line text and file payloads', () => {
    const inline = parseRequestLine(line(encodeRequest({ kind: 'run', nonce: 'a1', stdin: { inline: new TextEncoder().encode('in\n') }, script: { inline: new Uint8Array([0x65, 0x0a, 0x01]) } })));
    expect(inline).toMatchObject({ kind: 'run', nonce: 'a1' });
    if (inline?.kind !== 'run' || inline.stdin.kind !== 'data' || inline.script.kind !== 'data') throw new Error('not inline');
    expect(text(inline.stdin.data)).toBe('in\n');
    expect([...inline.script.data]).toEqual([0x65, 0x0a, 0x01]);
    const raw = parseRequestLine(line(encodeRequest({ kind: 'run', nonce: 'b2', stdin: { inline: new Uint8Array(0) }, script: { inline: new TextEncoder().encode('echo a  b | wc -c\n') } })));
    if (raw?.kind !== 'run' || raw.script.kind !== 'data') throw new Error('not a run');
    expect(text(raw.script.data)).toBe('echo a  b | wc -c');
    const file = parseRequestLine(line(encodeRequest({ kind: 'run', nonce: 'c3', stdin: { guestPath: '/mnt/host/x.in' }, script: { guestPath: '/mnt/host/x.sh' } })));
    expect(file).toEqual({ kind: 'run', nonce: 'c3', stdin: { kind: 'path', path: '/mnt/host/x.in' }, script: { kind: 'path', path: '/mnt/host/x.sh' } });
    expect(parseRequestLine('K c3\r')).toEqual({ kind: 'kill', nonce: 'c3' });
    expect(parseRequestLine(line(encodeRequest({ kind: 'ping', nonce: 'p' })))).toEqual({ kind: 'ping', nonce: 'p' });
    expect(parseRequestLine(line(encodeRequest({ kind: 'inspect', nonce: 'i9' })))).toEqual({ kind: 'inspect', nonce: 'i9', parts: null });
    // a request naming views: only what they draw is collected
    expect(parseRequestLine(line(encodeRequest({ kind: 'inspect', nonce: 'i9', parts: 'layers=ab12,net' })))).toEqual({ kind: 'inspect', nonce: 'i9', parts: 'layers=ab12,net' });
  });

  it('ignores noise and malformed lines', () => {
    for (const l of ['', '\x1b[6n', 'R', 'R x', 'R x =', 'R bad/nonce = :true', 'R x =@@ :true', 'R x =!! :true', 'R x @relative :true', 'X y', 'P a b', 'I', 'I a B', 'I a b c', 'I a /etc'])
      expect(parseRequestLine(l), l).toBeNull();
  });

  it('answers in frames the host parser decodes, bytes intact', () => {
    const out = new Uint8Array(300).map((_, i) => (i * 7) & 255);
    const events = new ControlParser().push(new TextEncoder().encode(frame('n9', out, new TextEncoder().encode('é\n'), 3)));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'result', nonce: 'n9', exitCode: 3 });
    if (events[0]?.kind !== 'result') throw new Error('no result');
    expect([...events[0].stdout]).toEqual([...out]);
    expect(text(events[0].stderr)).toBe('é\n');
  });
});
