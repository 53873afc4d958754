import { describe, expect, it } from 'vitest';
import { ControlParser, buildScript, encodeRequest, fromBase64, shellQuote, toBase64, type ControlEvent } from '../../src/vm/protocol.ts';

const enc = new TextEncoder();

/** A result frame as the guest agent writes it (base64 wrapped at 76 columns). */
function frame(nonce: string, out: Uint8Array, err: Uint8Array, code: number): Uint8Array {
  const wrap = (b: Uint8Array) => (toBase64(b).match(/.{1,76}/g) ?? []).map((l) => l + '\n').join('');
  return enc.encode(`\x02WB ${nonce} O ${out.length}\n${wrap(out)}\x02WB ${nonce} E ${err.length}\n${wrap(err)}\x02WB ${nonce} X ${code}\n`);
}

function feedInPieces(bytes: Uint8Array, sizes: number[]): ControlEvent[] {
  const p = new ControlParser();
  const events: ControlEvent[] = [];
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const n = sizes[i++ % sizes.length] ?? 1;
    events.push(...p.push(bytes.subarray(at, at + n)));
    at += n;
  }
  return events;
}

describe('control protocol parser', () => {
  const out = enc.encode('hello\nworld\n'.repeat(20));
  const err = enc.encode('oops\n');
  const whole = frame('n1', out, err, 3);

  it('decodes a frame fed in one piece', () => {
    const events = new ControlParser().push(whole);
    expect(events).toEqual([{ kind: 'result', nonce: 'n1', stdout: out, stderr: err, exitCode: 3 }]);
  });

  it('decodes the same frame however it is split, markers included', () => {
    for (const sizes of [[1], [2, 3], [7], [76], [77, 1], [whole.length - 1]]) {
      const events = feedInPieces(whole, sizes);
      expect(events, `chunks ${sizes.join(',')}`).toEqual([{ kind: 'result', nonce: 'n1', stdout: out, stderr: err, exitCode: 3 }]);
    }
  });

  it('carries every byte value through stdout', () => {
    const bin = new Uint8Array(256).map((_, i) => i);
    const [ev] = new ControlParser().push(frame('b', bin, new Uint8Array(0), 0));
    expect(ev?.kind === 'result' && Array.from(ev.stdout)).toEqual(Array.from(bin));
  });

  it('ignores noise around frames: terminal queries, CRLF, stray text, binary junk', () => {
    const noise = enc.encode('\x1b[6nboot junk\r\n\xff\xfe\x00garbage');
    const p = new ControlParser();
    const events = [...p.push(noise), ...p.push(enc.encode('\r\n')), ...p.push(whole), ...p.push(enc.encode('\x1b[6n\n'))];
    expect(events.map((e) => e.kind)).toEqual(['result']);
    expect(p.noiseLines).toBe(3);
  });

  it('finds a marker after noise on the same line', () => {
    const events = new ControlParser().push(enc.encode('\x1b[6n\x02WB - READY 1\nxx\x02WB abc PONG\n'));
    expect(events).toEqual([
      { kind: 'ready', version: '1' },
      { kind: 'pong', nonce: 'abc' },
    ]);
  });

  it('reports a frame whose length does not match as broken', () => {
    const bad = new TextDecoder().decode(frame('n2', enc.encode('abc'), new Uint8Array(0), 0)).replace(' O 3', ' O 4');
    expect(new ControlParser().push(enc.encode(bad))).toEqual([
      { kind: 'broken', nonce: 'n2', message: 'result payload damaged: stdout 3/4 bytes, stderr 0/0 bytes' },
    ]);
  });

  it('reports an end marker from another request as broken for both', () => {
    const text = new TextDecoder().decode(frame('n3', enc.encode('x'), new Uint8Array(0), 0)).replace(' n3 X ', ' zz X ');
    const events = new ControlParser().push(enc.encode(text));
    expect(events.map((e) => e.kind === 'broken' && e.nonce)).toEqual(['n3', 'zz']);
  });

  it('reports a frame cut short by the next one and still decodes the next', () => {
    const cut = enc.encode('\x02WB a1 O 5\naGVs\n');
    const events = new ControlParser().push(new Uint8Array([...cut, ...frame('a2', enc.encode('ok'), new Uint8Array(0), 0)]));
    expect(events.map((e) => `${e.kind}:${'nonce' in e ? e.nonce : ''}`)).toEqual(['broken:a1', 'result:a2']);
  });
});

describe('control protocol requests', () => {
  it('encodes run, kill and ping lines', () => {
    const dec = (b: Uint8Array) => new TextDecoder().decode(b);
    const none = { inline: new Uint8Array(0) };
    expect(dec(encodeRequest({ kind: 'run', nonce: 'x1', script: { inline: enc.encode("echo 'a  b' \\ $x\n") }, stdin: none }))).toBe(
      "R x1 = :echo 'a  b' \\ $x\n",
    );
    expect(dec(encodeRequest({ kind: 'run', nonce: 'x1', script: { inline: enc.encode('cd /\nid\n') }, stdin: none }))).toBe('R x1 = =Y2QgLwppZAo=\n');
    expect(dec(encodeRequest({ kind: 'run', nonce: 'x1', script: { inline: enc.encode('echo é\n') }, stdin: none }))).toBe('R x1 = =ZWNobyDDqQo=\n');
    expect(dec(encodeRequest({ kind: 'run', nonce: 'x1', script: { guestPath: '/mnt/host/.whalebone/x1.sh' }, stdin: { inline: enc.encode('a') } }))).toBe(
      'R x1 =YQ== @/mnt/host/.whalebone/x1.sh\n',
    );
    expect(dec(encodeRequest({ kind: 'kill', nonce: 'x1' }))).toBe('K x1\n');
    expect(dec(encodeRequest({ kind: 'ping', nonce: 'p' }))).toBe('P p\n');
    expect(dec(encodeRequest({ kind: 'inspect', nonce: 'i1' }))).toBe('I i1\n');
  });

  it('rejects nonces and paths that would break the line format', () => {
    expect(() => encodeRequest({ kind: 'ping', nonce: 'a b' })).toThrow(/bad nonce/);
    expect(() => encodeRequest({ kind: 'run', nonce: 'a', script: { guestPath: '/x y' }, stdin: { inline: new Uint8Array(0) } })).toThrow(/bad guest path/);
  });

  it('round-trips base64', () => {
    const data = new Uint8Array(100_000).map((_, i) => (i * 7919) & 255);
    expect(fromBase64(toBase64(data))).toEqual(data);
    expect(() => fromBase64('not base64!')).toThrow();
  });

  it('builds a script with cwd and quoted environment', () => {
    expect(buildScript('echo "$A"', { cwd: "/tmp/it's", env: { A: "x'y" } })).toBe(
      `cd -- '/tmp/it'\\''s' || exit 1\nexport A='x'\\''y'\necho "$A"\n`,
    );
    expect(() => buildScript('true', { env: { 'A-B': '1' } })).toThrow(/bad environment variable name/);
    expect(shellQuote('')).toBe(`''`);
  });
});
