// struct termios as the i386 kernel's TCGETS/TCSETS take it (four 32-bit flag words, c_line, 19
// control characters), and the raw mode a terminal client switches to (cfmakeraw's changes).

export const TCGETS = 0x5401;
export const TCSETS = 0x5402;
/** TCSETS after the output queue drains. */
export const TCSETSW = 0x5403;
export const TERMIOS_SIZE = 36;
export const NCCS = 19;

// c_iflag
export const IGNBRK = 0o1;
export const BRKINT = 0o2;
export const PARMRK = 0o10;
export const ISTRIP = 0o40;
export const INLCR = 0o100;
export const IGNCR = 0o200;
export const ICRNL = 0o400;
export const IXON = 0o2000;
// c_oflag
export const OPOST = 0o1;
// c_cflag
export const CSIZE = 0o60;
export const CS8 = 0o60;
export const PARENB = 0o400;
// c_lflag
export const ISIG = 0o1;
export const ICANON = 0o2;
export const ECHO = 0o10;
export const ECHONL = 0o100;
export const IEXTEN = 0o100000;
// c_cc indexes
export const VTIME = 5;
export const VMIN = 6;

export interface Termios {
  iflag: number;
  oflag: number;
  cflag: number;
  lflag: number;
  line: number;
  cc: number[];
}

export function decodeTermios(b: Uint8Array): Termios {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    iflag: v.getUint32(0, true),
    oflag: v.getUint32(4, true),
    cflag: v.getUint32(8, true),
    lflag: v.getUint32(12, true),
    line: b[16]!,
    cc: [...b.subarray(17, 17 + NCCS)],
  };
}

export function encodeTermios(t: Termios): Uint8Array {
  const b = new Uint8Array(TERMIOS_SIZE);
  const v = new DataView(b.buffer);
  v.setUint32(0, t.iflag >>> 0, true);
  v.setUint32(4, t.oflag >>> 0, true);
  v.setUint32(8, t.cflag >>> 0, true);
  v.setUint32(12, t.lflag >>> 0, true);
  b[16] = t.line;
  b.set(t.cc.slice(0, NCCS), 17);
  return b;
}

/** The raw mode of cfmakeraw(3): bytes pass unchanged, no echo, no signals from keys. */
export function makeRaw(t: Termios): Termios {
  const cc = [...t.cc];
  cc[VMIN] = 1;
  cc[VTIME] = 0;
  return {
    iflag: t.iflag & ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON),
    oflag: t.oflag & ~OPOST,
    cflag: (t.cflag & ~(CSIZE | PARENB)) | CS8,
    lflag: t.lflag & ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN),
    line: t.line,
    cc,
  };
}
