// Docker's packet rules, programmed into nf_tables over a NETLINK_NETFILTER socket from dockerd
// itself (no `nft` or `iptables` process, and no proxy process per port). The whole table is
// rebuilt in one atomic transaction whenever a network or a published port changes: the rules
// are a pure function of the daemon's state (`buildRuleset`), so nothing stale survives a
// change, a failed start or a daemon restart, and removing the last user leaves only the base
// chains. What the rules do (Docker's bridge driver with userland-proxy=false, in nft terms):
//
//   table ip docker-bridges
//     chain prerouting  (nat, dstnat)   fib daddr type local -> jump dnat
//     chain output      (nat, -100)     fib daddr type local -> jump dnat
//     chain dnat                        per published port: [ip daddr HOSTIP] l4proto P th dport N -> dnat to C:PORT
//     chain postrouting (nat, srcnat)   ip saddr 127/8 + ct dnat -> masquerade (the guest's own localhost)
//                                       per bridge: oif BR, saddr SUBNET, ct dnat -> masquerade (hairpin)
//                                       per bridge: saddr SUBNET, oif != BR -> masquerade (outbound)
//     chain forward     (filter, 0)     ct dnat -> accept (a published port is for everyone)
//                                       per pair of bridges: iif A oif B -> drop (networks are isolated)
//                                       per internal bridge: in or out of it, not both -> drop

import type { Fd, Syscalls } from '../sys/syscalls.ts';
import { SOCK_CLOEXEC, SOCK_RAW } from '../sys/constants.ts';
import { errnoName } from '../sys/errno.ts';
import { AF_NETLINK, decodeMessages, NetlinkError } from './netlink.ts';
import { ipToInt, parseCidr } from './ipam.ts';

export const NETLINK_NETFILTER = 12;
export const TABLE = 'docker-bridges';

const NFNL_SUBSYS_NFTABLES = 10;
const NFNL_MSG_BATCH_BEGIN = 16;
const NFNL_MSG_BATCH_END = 17;
const NFT_MSG_NEWTABLE = 0;
const NFT_MSG_DELTABLE = 2;
const NFT_MSG_NEWCHAIN = 3;
const NFT_MSG_NEWRULE = 6;
const NFT_MSG_GETGEN = 16;

const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_CREATE = 0x400;
const NLM_F_APPEND = 0x800;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLA_F_NESTED = 0x8000;

const NFPROTO_IPV4 = 2;
const AF_UNSPEC = 0;

// attribute numbers (linux/netfilter/nf_tables.h)
const NFTA_TABLE_NAME = 1;
const NFTA_CHAIN_TABLE = 1;
const NFTA_CHAIN_NAME = 3;
const NFTA_CHAIN_HOOK = 4;
const NFTA_CHAIN_POLICY = 5;
const NFTA_CHAIN_TYPE = 7;
const NFTA_HOOK_HOOKNUM = 1;
const NFTA_HOOK_PRIORITY = 2;
const NFTA_RULE_TABLE = 1;
const NFTA_RULE_CHAIN = 2;
const NFTA_RULE_EXPRESSIONS = 4;
const NFTA_LIST_ELEM = 1;
const NFTA_EXPR_NAME = 1;
const NFTA_EXPR_DATA = 2;
const NFTA_DATA_VALUE = 1;
const NFTA_DATA_VERDICT = 2;
const NFTA_VERDICT_CODE = 1;
const NFTA_VERDICT_CHAIN = 2;

export const NF_INET_PRE_ROUTING = 0;
export const NF_INET_FORWARD = 2;
export const NF_INET_LOCAL_OUT = 3;
export const NF_INET_POST_ROUTING = 4;
const NF_DROP = 0;
const NF_ACCEPT = 1;
const NFT_JUMP = -3;

const NFT_REG_VERDICT = 0;
const NFT_REG_1 = 1;
const NFT_REG_2 = 2;
const NFT_CMP_EQ = 0;
const NFT_CMP_NEQ = 1;
const NFT_PAYLOAD_NETWORK_HEADER = 1;
const NFT_PAYLOAD_TRANSPORT_HEADER = 2;
const NFT_META_IIFNAME = 6;
const NFT_META_OIFNAME = 7;
const NFT_META_L4PROTO = 16;
const NFT_CT_STATUS = 2;
const NFT_NAT_DNAT = 1;
const NFT_FIB_RESULT_ADDRTYPE = 3;
const NFTA_FIB_F_DADDR = 2;
const RTN_LOCAL = 2;
/** IPS_DST_NAT: the connection's destination was rewritten (a published port). */
const IPS_DST_NAT = 0x20;

const IPPROTO: Record<string, number> = { tcp: 6, udp: 17, sctp: 132 };

// ---- attribute encoding (every u32 of nf_tables is big-endian; nested attributes flagged) ----

type Value = Uint8Array | Nla[];
export type Nla = [type: number, value: Value];

const align4 = (n: number): number => (n + 3) & ~3;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function encodeNlas(attrs: Nla[]): Uint8Array {
  return concat(
    attrs.map(([type, value]) => {
      const nested = !(value instanceof Uint8Array);
      const payload = nested ? encodeNlas(value) : value;
      const buf = new Uint8Array(align4(4 + payload.length));
      const dv = new DataView(buf.buffer);
      dv.setUint16(0, 4 + payload.length, true);
      dv.setUint16(2, type | (nested ? NLA_F_NESTED : 0), true);
      buf.set(payload, 4);
      return buf;
    }),
  );
}

const str = (s: string): Uint8Array => Uint8Array.from([...s].map((c) => c.charCodeAt(0)).concat(0));
function be32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, false);
  return b;
}
function le32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}
const be16 = (n: number): Uint8Array => Uint8Array.from([(n >> 8) & 255, n & 255]);
const ip4 = (ip: string): Uint8Array => be32(ipToInt(ip));
/** An interface name as the kernel compares it: the name and its NUL, in a 16-byte IFNAMSIZ field. */
function ifname(name: string): Uint8Array {
  const b = new Uint8Array(16);
  b.set(str(name).subarray(0, 16));
  return b;
}

// ---- expressions, named as nft prints them ----

type Expr = Nla;
const expr = (name: string, data: Nla[]): Expr => [NFTA_LIST_ELEM, [[NFTA_EXPR_NAME, str(name)], [NFTA_EXPR_DATA, data]]];
const data = (v: Uint8Array): Nla[] => [[NFTA_DATA_VALUE, v]];

const payload = (base: number, offset: number, len: number): Expr => expr('payload', [[1, be32(NFT_REG_1)], [2, be32(base)], [3, be32(offset)], [4, be32(len)]]);
const meta = (key: number): Expr => expr('meta', [[2, be32(key)], [1, be32(NFT_REG_1)]]);
const cmp = (op: number, value: Uint8Array): Expr => expr('cmp', [[1, be32(NFT_REG_1)], [2, be32(op)], [3, data(value)]]);
const bitwise = (mask: Uint8Array): Expr =>
  expr('bitwise', [[1, be32(NFT_REG_1)], [2, be32(NFT_REG_1)], [3, be32(mask.length)], [4, data(mask)], [5, data(new Uint8Array(mask.length))]]);
const immediate = (reg: number, value: Uint8Array): Expr => expr('immediate', [[1, be32(reg)], [2, data(value)]]);
const verdict = (code: number, chain?: string): Expr =>
  expr('immediate', [[1, be32(NFT_REG_VERDICT)], [2, [[NFTA_DATA_VERDICT, [[NFTA_VERDICT_CODE, be32(code)], ...(chain ? [[NFTA_VERDICT_CHAIN, str(chain)] as Nla] : [])]]]]]);

/** ip saddr/daddr in SUBNET (a bitwise mask, then a compare). */
function ipIn(offset: number, cidr: string, op = NFT_CMP_EQ): Expr[] {
  const s = parseCidr(cidr);
  const mask = s.prefixLen === 0 ? 0 : (0xffffffff << (32 - s.prefixLen)) >>> 0;
  return [payload(NFT_PAYLOAD_NETWORK_HEADER, offset, 4), bitwise(be32(mask)), cmp(op, be32(s.base))];
}
const SADDR = 12;
const DADDR = 16;
const iif = (name: string, op = NFT_CMP_EQ): Expr[] => [meta(NFT_META_IIFNAME), cmp(op, ifname(name))];
const oif = (name: string, op = NFT_CMP_EQ): Expr[] => [meta(NFT_META_OIFNAME), cmp(op, ifname(name))];
/** ct status dnat: the status word is in host order (little-endian on x86). */
const ctDnat = (): Expr[] => [expr('ct', [[2, be32(NFT_CT_STATUS)], [1, be32(NFT_REG_1)]]), bitwise(le32(IPS_DST_NAT)), cmp(NFT_CMP_NEQ, le32(0))];
/** fib daddr type local. */
const daddrLocal = (): Expr[] => [expr('fib', [[1, be32(NFT_REG_1)], [2, be32(NFT_FIB_RESULT_ADDRTYPE)], [3, be32(NFTA_FIB_F_DADDR)]]), cmp(NFT_CMP_EQ, le32(RTN_LOCAL))];
const masquerade = (): Expr => expr('masq', []);

// ---- the desired state ----

export interface BridgeNetwork {
  /** The bridge device (docker0, br-<id12>). */
  bridge: string;
  subnet: string;
  internal: boolean;
}

export interface PortForward {
  proto: 'tcp' | 'udp' | 'sctp';
  /** The guest's address it is published on; "0.0.0.0" for all of them. */
  hostIp: string;
  hostPort: number;
  /** The container's address and port. */
  ip: string;
  port: number;
}

export interface Rule {
  chain: string;
  exprs: Expr[];
}

interface Chain {
  name: string;
  hook?: { num: number; priority: number; type: 'nat' | 'filter' };
}

const CHAINS: Chain[] = [
  { name: 'prerouting', hook: { num: NF_INET_PRE_ROUTING, priority: -100, type: 'nat' } },
  { name: 'output', hook: { num: NF_INET_LOCAL_OUT, priority: -100, type: 'nat' } },
  { name: 'postrouting', hook: { num: NF_INET_POST_ROUTING, priority: 100, type: 'nat' } },
  { name: 'forward', hook: { num: NF_INET_FORWARD, priority: 0, type: 'filter' } },
  { name: 'dnat' },
];

/** The rules for these networks and published ports, in order. */
export function buildRules(nets: BridgeNetwork[], forwards: PortForward[]): Rule[] {
  const rules: Rule[] = [
    { chain: 'prerouting', exprs: [...daddrLocal(), verdict(NFT_JUMP, 'dnat')] },
    { chain: 'output', exprs: [...daddrLocal(), verdict(NFT_JUMP, 'dnat')] },
  ];
  for (const f of forwards) {
    rules.push({
      chain: 'dnat',
      exprs: [
        ...(f.hostIp && f.hostIp !== '0.0.0.0' ? [payload(NFT_PAYLOAD_NETWORK_HEADER, DADDR, 4), cmp(NFT_CMP_EQ, ip4(f.hostIp))] : []),
        meta(NFT_META_L4PROTO), cmp(NFT_CMP_EQ, Uint8Array.of(IPPROTO[f.proto]!)),
        payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2), cmp(NFT_CMP_EQ, be16(f.hostPort)),
        immediate(NFT_REG_1, ip4(f.ip)), immediate(NFT_REG_2, be16(f.port)),
        expr('nat', [[1, be32(NFT_NAT_DNAT)], [2, be32(NFPROTO_IPV4)], [3, be32(NFT_REG_1)], [5, be32(NFT_REG_2)]]),
      ],
    });
  }
  // the guest's own 127.0.0.1:PORT, rewritten to a container: it must not leave with a loopback source
  rules.push({ chain: 'postrouting', exprs: [...ipIn(SADDR, '127.0.0.0/8'), ...ctDnat(), masquerade()] });
  rules.push({ chain: 'forward', exprs: [...ctDnat(), verdict(NF_ACCEPT)] });
  for (const n of nets) {
    if (n.internal) {
      rules.push({ chain: 'forward', exprs: [...iif(n.bridge), ...oif(n.bridge, NFT_CMP_NEQ), verdict(NF_DROP)] });
      rules.push({ chain: 'forward', exprs: [...oif(n.bridge), ...iif(n.bridge, NFT_CMP_NEQ), verdict(NF_DROP)] });
      continue;
    }
    // a container reaching a published port through the guest's address, answered by a container
    // of the same bridge: the answer must come back through the guest to be un-rewritten
    rules.push({ chain: 'postrouting', exprs: [...oif(n.bridge), ...ipIn(SADDR, n.subnet), ...ctDnat(), masquerade()] });
    rules.push({ chain: 'postrouting', exprs: [...ipIn(SADDR, n.subnet), ...oif(n.bridge, NFT_CMP_NEQ), masquerade()] });
    for (const o of nets) {
      if (o !== n && !o.internal) rules.push({ chain: 'forward', exprs: [...iif(n.bridge), ...oif(o.bridge), verdict(NF_DROP)] });
    }
  }
  return rules;
}

// ---- messages ----

function nfgenmsg(family: number, resId = 0): Uint8Array {
  return Uint8Array.of(family, 0, (resId >> 8) & 255, resId & 255);
}

function message(type: number, flags: number, seq: number, header: Uint8Array, attrs: Nla[]): Uint8Array {
  const body = concat([header, encodeNlas(attrs)]);
  const msg = new Uint8Array(16 + body.length);
  const dv = new DataView(msg.buffer);
  dv.setUint32(0, msg.length, true);
  dv.setUint16(4, type, true);
  dv.setUint16(6, flags, true);
  dv.setUint32(8, seq, true);
  msg.set(body, 16);
  return msg;
}

const nft = (t: number): number => (NFNL_SUBSYS_NFTABLES << 8) | t;

/**
 * One transaction that replaces the table with these rules: create it (so the delete cannot fail
 * on a fresh guest), delete it with everything in it, create it again with its chains and rules.
 * `seq0` numbers the messages; the batch uses seq0 .. seq0 + count - 1.
 */
export function rulesetBatch(rules: Rule[], seq0: number): Uint8Array {
  let seq = seq0;
  const msgs: Uint8Array[] = [];
  const add = (type: number, flags: number, attrs: Nla[], header = nfgenmsg(NFPROTO_IPV4)): void => {
    msgs.push(message(type, NLM_F_REQUEST | flags, seq++, header, attrs));
  };
  add(NFNL_MSG_BATCH_BEGIN, 0, [], nfgenmsg(AF_UNSPEC, NFNL_SUBSYS_NFTABLES));
  const table: Nla[] = [[NFTA_TABLE_NAME, str(TABLE)]];
  add(nft(NFT_MSG_NEWTABLE), NLM_F_CREATE, table);
  add(nft(NFT_MSG_DELTABLE), 0, table);
  add(nft(NFT_MSG_NEWTABLE), NLM_F_CREATE, table);
  for (const c of CHAINS) {
    const attrs: Nla[] = [[NFTA_CHAIN_TABLE, str(TABLE)], [NFTA_CHAIN_NAME, str(c.name)]];
    if (c.hook) {
      attrs.push([NFTA_CHAIN_HOOK, [[NFTA_HOOK_HOOKNUM, be32(c.hook.num)], [NFTA_HOOK_PRIORITY, be32(c.hook.priority)]]]);
      attrs.push([NFTA_CHAIN_POLICY, be32(NF_ACCEPT)]);
      attrs.push([NFTA_CHAIN_TYPE, str(c.hook.type)]);
    }
    add(nft(NFT_MSG_NEWCHAIN), NLM_F_CREATE, attrs);
  }
  for (const r of rules) {
    add(nft(NFT_MSG_NEWRULE), NLM_F_CREATE | NLM_F_APPEND, [[NFTA_RULE_TABLE, str(TABLE)], [NFTA_RULE_CHAIN, str(r.chain)], [NFTA_RULE_EXPRESSIONS, r.exprs]]);
  }
  add(NFNL_MSG_BATCH_END, 0, [], nfgenmsg(AF_UNSPEC, NFNL_SUBSYS_NFTABLES));
  return concat(msgs);
}

/** A request the kernel answers after the batch before it has been processed: the fence. */
function fence(seq: number): Uint8Array {
  return message(nft(NFT_MSG_GETGEN), NLM_F_REQUEST | NLM_F_ACK, seq, nfgenmsg(AF_UNSPEC), []);
}

/** A NETLINK_NETFILTER socket of the current network namespace. */
export class Nftables {
  private seq = 1;
  private readonly buf = new Uint8Array(65536);

  constructor(
    private sys: Syscalls,
    private fd: Fd | null = null,
  ) {}

  private socket(): Fd {
    this.fd ??= this.sys.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
    return this.fd;
  }

  close(): void {
    if (this.fd !== null) this.sys.close(this.fd);
    this.fd = null;
  }

  /** Replaces the table with these rules, atomically; throws the kernel's errno for the first bad message. */
  apply(rules: Rule[]): void {
    const fd = this.socket();
    const batch = rulesetBatch(rules, this.seq);
    const first = this.seq;
    this.seq += decodeMessages(batch).length;
    const fenceSeq = this.seq++;
    this.sys.write(fd, batch);
    this.sys.write(fd, fence(fenceSeq));
    let failure: NetlinkError | null = null;
    for (;;) {
      const n = this.sys.read(fd, this.buf);
      if (n === 0) throw new NetlinkError('EIO', 5, 'nft');
      for (const m of decodeMessages(this.buf.slice(0, n))) {
        if (m.type === NLMSG_ERROR) {
          const err = new DataView(m.body.buffer, m.body.byteOffset, 4).getInt32(0, true);
          if (m.seq === fenceSeq) {
            if (failure) throw failure;
            return;
          }
          if (err !== 0 && m.seq >= first && !failure) failure = new NetlinkError(errnoName(-err), -err, `nft: message ${m.seq - first} of the ruleset`);
        } else if (m.type === NLMSG_DONE && m.seq === fenceSeq) {
          if (failure) throw failure;
          return;
        }
      }
    }
  }

  /** Removes the table (daemon shutdown, tests); absent is fine. */
  remove(): void {
    this.apply([]);
  }
}
