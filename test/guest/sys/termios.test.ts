import { describe, expect, it } from 'vitest';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { decodeTermios, encodeTermios, ECHO, ICANON, ICRNL, ISIG, IXON, makeRaw, OPOST, TERMIOS_SIZE, VMIN } from '../../../src/guest/sys/termios.ts';
import { rawMode } from '../../../src/guest/cli/stream.ts';

describe('termios', () => {
  it('encodes the i386 struct termios byte for byte', () => {
    const t = { iflag: 0x500, oflag: 5, cflag: 0xbf, lflag: 0x8a3b, line: 0, cc: Array.from({ length: 19 }, (_, i) => i + 1) };
    const b = encodeTermios(t);
    expect(b.length).toBe(TERMIOS_SIZE);
    expect([...b.subarray(0, 4)]).toEqual([0, 5, 0, 0]);
    expect(b[17]).toBe(1);
    expect(decodeTermios(b)).toEqual(t);
  });

  it('raw mode turns off echo, line editing, key signals, flow control and output processing', () => {
    const cooked = { iflag: ICRNL | IXON, oflag: OPOST | 4, cflag: 0o277, lflag: ISIG | ICANON | ECHO, line: 0, cc: new Array(19).fill(0) };
    const raw = makeRaw(cooked);
    expect(raw.lflag & (ISIG | ICANON | ECHO)).toBe(0);
    expect(raw.iflag & (ICRNL | IXON)).toBe(0);
    expect(raw.oflag & OPOST).toBe(0);
    expect(raw.cc[VMIN]).toBe(1);
  });

  it('the client restores the terminal it put in raw mode', () => {
    const sys = new FakeSyscalls();
    const pty = sys.openpty();
    sys.dup2(pty.slave, 0);
    const before = sys.tcgetattr(0);
    const restore = rawMode(sys, 0);
    expect(sys.tcgetattr(0).lflag & ECHO).toBe(0);
    restore();
    restore();
    expect(sys.tcgetattr(0)).toEqual(before);
    expect(sys.calls.filter((c) => c.name === 'tcsetattr').map((c) => c.args[2])).toEqual([false, true]);
  });

  it('leaves a descriptor that is no terminal alone', () => {
    const sys = new FakeSyscalls();
    const [r] = sys.pipe();
    sys.dup2(r, 0);
    rawMode(sys, 0)();
    expect(sys.calls.some((c) => c.name === 'tcsetattr')).toBe(false);
  });
});
