// The DNS wire format (RFC 1035 section 4, with RFC 6891's OPT record): decoding and encoding of
// whole messages, queries and answers alike. Pure functions over bytes, no I/O.

export const TYPE_A = 1;
export const TYPE_CNAME = 5;
export const TYPE_PTR = 12;
export const TYPE_AAAA = 28;
export const TYPE_OPT = 41;
export const CLASS_IN = 1;

export const RCODE_NOERROR = 0;
export const RCODE_FORMERR = 1;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;
export const RCODE_NOTIMP = 4;
export const RCODE_REFUSED = 5;

export interface Question {
  /** Lower case, no trailing dot ("deb.debian.org"). */
  name: string;
  type: number;
  class: number;
}

/**
 * A resource record. `data` is decoded for the types we produce: A (dotted IPv4), PTR and CNAME
 * (a name); anything else keeps its raw bytes. For OPT, `class` is the sender's UDP payload size.
 */
export interface ResourceRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  data: string | Uint8Array;
}

export interface Message {
  id: number;
  /** QR: true in a response. */
  response: boolean;
  opcode: number;
  authoritative: boolean;
  truncated: boolean;
  recursionDesired: boolean;
  recursionAvailable: boolean;
  rcode: number;
  questions: Question[];
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
}

export class DnsFormatError extends Error {}

/** Reads a (possibly compressed) name at `at`; returns it and the offset just past it. */
function readName(buf: Uint8Array, at: number): [string, number] {
  const labels: string[] = [];
  let pos = at;
  let end = -1;
  // Each pointer must go strictly backwards, which bounds the walk and rejects loops.
  let limit = at;
  for (;;) {
    if (pos >= buf.length) throw new DnsFormatError('name runs past the message');
    const len = buf[pos]!;
    if (len === 0) {
      pos += 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= buf.length) throw new DnsFormatError('truncated compression pointer');
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      if (target >= limit) throw new DnsFormatError('compression pointer does not point backwards');
      if (end < 0) end = pos + 2;
      limit = target;
      pos = target;
      continue;
    }
    if (len & 0xc0) throw new DnsFormatError(`unsupported label type 0x${(len & 0xc0).toString(16)}`);
    if (pos + 1 + len > buf.length) throw new DnsFormatError('label runs past the message');
    labels.push(String.fromCharCode(...buf.subarray(pos + 1, pos + 1 + len)));
    pos += 1 + len;
    if (labels.join('.').length > 253) throw new DnsFormatError('name longer than 253 characters');
  }
  return [labels.join('.').toLowerCase(), end < 0 ? pos : end];
}

function u16(buf: Uint8Array, at: number): number {
  if (at + 2 > buf.length) throw new DnsFormatError('message too short');
  return (buf[at]! << 8) | buf[at + 1]!;
}

function u32(buf: Uint8Array, at: number): number {
  return u16(buf, at) * 65536 + u16(buf, at + 2);
}

function readRecord(buf: Uint8Array, at: number): [ResourceRecord, number] {
  const [name, p] = readName(buf, at);
  const type = u16(buf, p);
  const cls = u16(buf, p + 2);
  const ttl = u32(buf, p + 4);
  const len = u16(buf, p + 8);
  const start = p + 10;
  if (start + len > buf.length) throw new DnsFormatError('record data runs past the message');
  const raw = buf.subarray(start, start + len);
  let data: string | Uint8Array = raw.slice();
  if (type === TYPE_A && len === 4) data = Array.from(raw).join('.');
  else if (type === TYPE_PTR || type === TYPE_CNAME) data = readName(buf, start)[0];
  return [{ name, type, class: cls, ttl, data }, start + len];
}

/** Decodes a whole message; throws DnsFormatError on anything malformed. */
export function decodeMessage(buf: Uint8Array): Message {
  if (buf.length < 12) throw new DnsFormatError('message shorter than its 12-byte header');
  const flags = u16(buf, 2);
  const counts = [u16(buf, 4), u16(buf, 6), u16(buf, 8), u16(buf, 10)] as const;
  let pos = 12;
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]; i++) {
    const [name, p] = readName(buf, pos);
    questions.push({ name, type: u16(buf, p), class: u16(buf, p + 2) });
    pos = p + 4;
  }
  const sections: ResourceRecord[][] = [[], [], []];
  for (let s = 0; s < 3; s++)
    for (let i = 0; i < counts[s + 1]!; i++) {
      const [rr, p] = readRecord(buf, pos);
      sections[s]!.push(rr);
      pos = p;
    }
  return {
    id: u16(buf, 0),
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    authoritative: (flags & 0x0400) !== 0,
    truncated: (flags & 0x0200) !== 0,
    recursionDesired: (flags & 0x0100) !== 0,
    recursionAvailable: (flags & 0x0080) !== 0,
    rcode: flags & 0xf,
    questions,
    answers: sections[0]!,
    authority: sections[1]!,
    additional: sections[2]!,
  };
}

/** Writes names with compression: a suffix written before is replaced by a pointer to it. */
class Writer {
  private bytes: number[] = [];
  private names = new Map<string, number>();

  get length(): number {
    return this.bytes.length;
  }
  u8(n: number): void {
    this.bytes.push(n & 0xff);
  }
  u16(n: number): void {
    this.bytes.push((n >> 8) & 0xff, n & 0xff);
  }
  u32(n: number): void {
    this.u16(Math.floor(n / 65536) & 0xffff);
    this.u16(n & 0xffff);
  }
  raw(b: Uint8Array | number[]): void {
    for (const x of b) this.bytes.push(x);
  }
  setU16(at: number, n: number): void {
    this.bytes[at] = (n >> 8) & 0xff;
    this.bytes[at + 1] = n & 0xff;
  }
  name(name: string): void {
    const labels = name === '' || name === '.' ? [] : name.replace(/\.$/, '').split('.');
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const seen = this.names.get(suffix);
      if (seen !== undefined) {
        this.u16(0xc000 | seen);
        return;
      }
      if (this.length < 0x4000) this.names.set(suffix, this.length);
      const label = labels[i]!;
      if (label.length === 0 || label.length > 63) throw new DnsFormatError(`bad label in "${name}"`);
      this.u8(label.length);
      for (let c = 0; c < label.length; c++) this.u8(label.charCodeAt(c));
    }
    this.u8(0);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

function ipv4Bytes(ip: string): number[] {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new DnsFormatError(`not an IPv4 address: ${ip}`);
  return parts;
}

function writeRecord(w: Writer, rr: ResourceRecord): void {
  w.name(rr.name);
  w.u16(rr.type);
  w.u16(rr.class);
  w.u32(rr.ttl);
  const lenAt = w.length;
  w.u16(0);
  const start = w.length;
  if (typeof rr.data === 'string') {
    if (rr.type === TYPE_A) w.raw(ipv4Bytes(rr.data));
    else w.name(rr.data);
  } else w.raw(rr.data);
  w.setU16(lenAt, w.length - start);
}

export function encodeMessage(m: Message): Uint8Array {
  const w = new Writer();
  w.u16(m.id);
  w.u16(
    (m.response ? 0x8000 : 0) | ((m.opcode & 0xf) << 11) | (m.authoritative ? 0x0400 : 0) | (m.truncated ? 0x0200 : 0) |
      (m.recursionDesired ? 0x0100 : 0) | (m.recursionAvailable ? 0x0080 : 0) | (m.rcode & 0xf),
  );
  for (const n of [m.questions.length, m.answers.length, m.authority.length, m.additional.length]) w.u16(n);
  for (const q of m.questions) {
    w.name(q.name);
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const rr of [...m.answers, ...m.authority, ...m.additional]) writeRecord(w, rr);
  return w.done();
}

/** A query as a stub resolver sends it (for tests and clients). */
export function query(id: number, name: string, type = TYPE_A): Message {
  return {
    id, response: false, opcode: 0, authoritative: false, truncated: false, recursionDesired: true, recursionAvailable: false,
    rcode: 0, questions: [{ name, type, class: CLASS_IN }], answers: [], authority: [], additional: [],
  };
}

/** The in-addr.arpa name of an IPv4 address ("10.86.0.53" -> "53.0.86.10.in-addr.arpa"). */
export function reverseName(ip: string): string {
  return `${ipv4Bytes(ip).reverse().join('.')}.in-addr.arpa`;
}
