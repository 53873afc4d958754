// The nf_tables side of the fake kernel: decodes the batches dockerd sends over NETLINK_NETFILTER
// into a table of chains and rules, each rule rendered as nft would print it ("tcp dport 8080
// dnat to 172.17.0.2:80"), so tests read the rules as a user of `nft list ruleset` would.

import { decodeMessages } from '../../../src/guest/net/netlink.ts';

type Attrs = Map<number, Uint8Array>;

function attrs(buf: Uint8Array): Attrs {
  const out: Attrs = new Map();
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = 0;
  while (off + 4 <= buf.length) {
    const len = dv.getUint16(off, true);
    if (len < 4) break;
    out.set(dv.getUint16(off + 2, true) & 0x3fff, buf.subarray(off + 4, off + len));
    off += (len + 3) & ~3;
  }
  return out;
}

/** Every attribute of one type, in order (NFTA_LIST_ELEM lists). */
function list(buf: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = 0;
  while (off + 4 <= buf.length) {
    const len = dv.getUint16(off, true);
    if (len < 4) break;
    out.push(buf.subarray(off + 4, off + len));
    off += (len + 3) & ~3;
  }
  return out;
}

const str = (b: Uint8Array | undefined): string => (b ? new TextDecoder().decode(b).replace(/\0.*$/s, '') : '');
const be32 = (b: Uint8Array | undefined): number => (b ? new DataView(b.buffer, b.byteOffset, 4).getUint32(0, false) : 0);
const value = (b: Uint8Array | undefined): Uint8Array => attrs(b ?? new Uint8Array()).get(1) ?? new Uint8Array();
const ip = (b: Uint8Array): string => [...b.subarray(0, 4)].join('.');
const maskLen = (b: Uint8Array): number => [...b].reduce((n, x) => n + x.toString(2).replace(/0/g, '').length, 0);

/** One rule's expressions as nft text. */
export function renderRule(exprs: Uint8Array): string {
  const out: string[] = [];
  const regs = new Map<number, Uint8Array>();
  let lhs = '';
  let mask: Uint8Array | null = null;
  for (const e of list(exprs)) {
    const a = attrs(e);
    const name = str(a.get(1));
    const d = attrs(a.get(2) ?? new Uint8Array());
    if (name === 'payload') {
      const [base, off] = [be32(d.get(2)), be32(d.get(3))];
      lhs = base === 1 ? (off === 12 ? 'ip saddr' : 'ip daddr') : 'th dport';
      mask = null;
    } else if (name === 'meta') {
      lhs = ({ 6: 'iifname', 7: 'oifname', 16: 'meta l4proto' } as Record<number, string>)[be32(d.get(2))] ?? 'meta ?';
      mask = null;
    } else if (name === 'ct') lhs = 'ct status';
    else if (name === 'fib') lhs = 'fib daddr type';
    else if (name === 'bitwise') mask = value(d.get(4));
    else if (name === 'cmp') {
      const op = be32(d.get(2)) === 1 ? '!= ' : '';
      const v = value(d.get(3));
      let text: string;
      if (lhs === 'ip saddr' || lhs === 'ip daddr') text = mask ? `${ip(v)}/${maskLen(mask)}` : ip(v);
      else if (lhs === 'th dport') text = String((v[0]! << 8) | v[1]!);
      else if (lhs === 'meta l4proto') text = ({ 6: 'tcp', 17: 'udp', 132: 'sctp' } as Record<number, string>)[v[0]!] ?? String(v[0]);
      else if (lhs === 'ct status') text = 'dnat';
      else if (lhs === 'fib daddr type') text = v[0] === 2 ? 'local' : String(v[0]);
      else text = `"${str(v)}"`;
      out.push(lhs === 'ct status' ? 'ct status dnat' : `${lhs} ${op}${text}`);
    } else if (name === 'immediate') {
      const reg = be32(d.get(1));
      const data = attrs(d.get(2) ?? new Uint8Array());
      if (reg === 0) {
        const v = attrs(data.get(2) ?? new Uint8Array());
        const code = new DataView(v.get(1)!.buffer, v.get(1)!.byteOffset, 4).getInt32(0, false);
        out.push(code === 1 ? 'accept' : code === 0 ? 'drop' : code === -3 ? `jump ${str(v.get(2))}` : `verdict ${code}`);
      } else regs.set(reg, data.get(1)!);
    } else if (name === 'nat') {
      const addr = regs.get(be32(d.get(3)))!;
      const port = regs.get(be32(d.get(5)))!;
      out.push(`dnat to ${ip(addr)}:${(port[0]! << 8) | port[1]!}`);
    } else if (name === 'masq') out.push('masquerade');
    else out.push(`<${name}>`);
  }
  return out.join(' ');
}

export interface NftState {
  /** table -> chain -> rules as text; hooks of base chains. */
  tables: Map<string, Map<string, string[]>>;
  batches: number;
}

/** Applies one write of messages (a batch, or the fence); returns acks to queue as [seq, errno]. */
export function applyNft(state: NftState, data: Uint8Array, fail?: (type: number) => string | null): [number, number, number][] {
  const acks: [number, number, number][] = [];
  let staged: Map<string, Map<string, string[]>> | null = null;
  let failed = false;
  for (const m of decodeMessages(data)) {
    const type = m.type & 0xff;
    if (m.type === 16) {
      staged = new Map([...state.tables].map(([k, v]) => [k, new Map([...v].map(([c, r]) => [c, [...r]]))]));
      continue;
    }
    if (m.type === 17) {
      if (!failed && staged) state.tables = staged;
      state.batches++;
      staged = null;
      continue;
    }
    if (type === 16 && (m.type >> 8) === 10) {
      acks.push([m.seq, 0, 0x0a11]);
      continue;
    }
    const a = attrs(m.body.subarray(4));
    const err = fail?.(type) ?? null;
    if (err || !staged) {
      failed = true;
      acks.push([m.seq, 22, 2]);
      continue;
    }
    if (type === 0) {
      if (!staged.has(str(a.get(1)))) staged.set(str(a.get(1)), new Map());
    } else if (type === 2) staged.delete(str(a.get(1)));
    else if (type === 3) staged.get(str(a.get(1)))!.set(str(a.get(3)), []);
    else if (type === 6) staged.get(str(a.get(1)))!.get(str(a.get(2)))!.push(renderRule(a.get(4)!));
  }
  return acks;
}
