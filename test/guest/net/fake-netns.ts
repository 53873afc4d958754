// The recording syscall fake plus a small model of the kernel's network side: namespaces
// (unshare, setns, bind mounts of /proc/self/ns/net) and the rtnetlink requests the bridge driver
// sends (links, addresses, routes), answered with ACKs or errnos as the kernel would.

import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { CLONE_NEWNET, MS_BIND } from '../../../src/guest/sys/constants.ts';
import { errnoNumber } from '../../../src/guest/sys/errno.ts';
import type { Fd } from '../../../src/guest/sys/syscalls.ts';
import { applyNft, type NftState } from './fake-nft.ts';
import { AF_NETLINK, decodeAttrs, decodeMessages, IFF_UP, RTM_DELLINK, RTM_GETLINK, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWROUTE, NLM_F_EXCL, encodeMessage, ifinfomsg } from '../../../src/guest/net/netlink.ts';

export interface Link {
  index: number;
  name: string;
  kind: string;
  up: boolean;
  master: number;
  mac: string;
  addrs: string[];
  /** The other end of a veth pair: [namespace, index]. */
  peer?: [NetNs, number];
}

export class NetNs {
  readonly links = new Map<number, Link>();
  readonly routes: string[] = [];
  private next = 2;
  constructor(readonly id: number) {
    this.links.set(1, { index: 1, name: 'lo', kind: 'loopback', up: false, master: 0, mac: '00:00:00:00:00:00', addrs: [] });
  }
  add(l: Omit<Link, 'index'>): Link {
    const link = { ...l, index: this.next++ };
    this.links.set(link.index, link);
    return link;
  }
  byName(name: string): Link | undefined {
    return [...this.links.values()].find((l) => l.name === name);
  }
}

const text = (b: Uint8Array | undefined): string => (b ? new TextDecoder().decode(b).replace(/\0+$/, '') : '');
const ip = (b: Uint8Array | undefined): string => (b ? [...b].join('.') : '');
const u32 = (b: Uint8Array | undefined): number => (b ? new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true) : 0);

export class NetFake extends FakeSyscalls {
  readonly host = new NetNs(0);
  current = this.host;
  private nsCount = 1;
  /** Bind mounts of a namespace, by path. */
  readonly bound = new Map<string, NetNs>();
  private nsFds = new Map<Fd, NetNs>();
  private sockets = new Map<Fd, { ns: NetNs; inbox: Uint8Array[]; protocol: number }>();
  /** The nf_tables state (one for the host namespace: dockerd programs only that one). */
  readonly nft: NftState = { tables: new Map(), batches: 0 };
  /** Makes the next nf_tables message of this type fail with EINVAL (a kernel refusing a rule). */
  nftFailType: number | null = null;
  /** The rules of dockerd's table, by chain, as nft prints them. */
  rules(chain: string): string[] {
    return this.nft.tables.get('docker-bridges')?.get(chain) ?? [];
  }

  /** Every rtnetlink request: [namespace id, message type]. */
  readonly requests: [number, number][] = [];

  constructor() {
    super();
    this.addFile('/proc/self/ns/net', '');
    this.addFile('/proc/sys/net/ipv4/ip_forward', '0\n');
  }

  override unshare(flags: number): void {
    super.unshare(flags);
    if (flags & CLONE_NEWNET) this.current = new NetNs(this.nsCount++);
  }

  override setns(fd: Fd, nstype: number): void {
    super.setns(fd, nstype);
    this.current = this.nsFds.get(fd)!;
  }

  override mount(source: string | null, target: string, fstype: string | null, flags: number, data?: string | null): void {
    super.mount(source, target, fstype, flags, data);
    if (flags & MS_BIND && source === '/proc/self/ns/net') this.bound.set(target, this.current);
  }

  override umount2(target: string, flags?: number): void {
    super.umount2(target, flags);
    const ns = this.bound.get(target);
    this.bound.delete(target);
    // the namespace dies with its last reference: its veth ends take their peers with them
    if (ns) for (const l of ns.links.values()) if (l.peer) l.peer[0].links.delete(l.peer[1]);
  }

  override open(path: string, flags: number, mode?: number): Fd {
    const fd = super.open(path, flags, mode);
    if (path === '/proc/self/ns/net') this.nsFds.set(fd, this.current);
    else if (this.bound.has(path)) this.nsFds.set(fd, this.bound.get(path)!);
    return fd;
  }

  override socket(domain: number, type: number, protocol?: number): Fd {
    const fd = super.socket(domain, type, protocol);
    if (domain === AF_NETLINK) this.sockets.set(fd, { ns: this.current, inbox: [], protocol: protocol ?? 0 });
    return fd;
  }

  override write(fd: Fd, data: Uint8Array | string): number {
    const s = this.sockets.get(fd);
    if (!s || typeof data === 'string') return super.write(fd, data);
    if (s.protocol === 12) {
      for (const [seq, errno, type] of applyNft(this.nft, data, (t) => (t === this.nftFailType ? 'EINVAL' : null))) {
        if (type === 0x0a11) s.inbox.push(encodeMessage(type, 0, seq, new Uint8Array(8), []));
        const ack = new Uint8Array(4);
        new DataView(ack.buffer).setInt32(0, -errno, true);
        s.inbox.push(encodeMessage(2, 0, seq, ack, []));
      }
      return data.length;
    }
    for (const m of decodeMessages(data)) {
      this.requests.push([s.ns.id, m.type]);
      let err = 0;
      let reply: Uint8Array | null = null;
      try {
        reply = this.handle(s.ns, m.type, new DataView(data.buffer, data.byteOffset).getUint16(6, true), m.body);
      } catch (e) {
        err = errnoNumber((e as Error).message);
      }
      if (reply) s.inbox.push(encodeMessage(m.type === RTM_GETLINK ? RTM_NEWLINK : m.type, 0, m.seq, reply, []));
      const ack = new Uint8Array(4);
      new DataView(ack.buffer).setInt32(0, -err, true);
      s.inbox.push(encodeMessage(2, 0, m.seq, ack, []));
    }
    return data.length;
  }

  override read(fd: Fd, buf: Uint8Array): number {
    const s = this.sockets.get(fd);
    if (!s) return super.read(fd, buf);
    const m = s.inbox.shift();
    if (!m) throw new Error('fake kernel: read with nothing to read would block forever');
    buf.set(m);
    return m.length;
  }

  override close(fd: Fd): void {
    this.sockets.delete(fd);
    this.nsFds.delete(fd);
    super.close(fd);
  }

  private handle(ns: NetNs, type: number, flags: number, body: Uint8Array): Uint8Array | null {
    const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
    if (type === RTM_NEWLINK || type === RTM_GETLINK || type === RTM_DELLINK) {
      const index = dv.getInt32(4, true);
      const attrs = decodeAttrs(body, 16);
      const name = text(attrs.get(3));
      const existing = index ? ns.links.get(index) : ns.byName(name);
      if (type === RTM_GETLINK || type === RTM_DELLINK) {
        if (!existing) throw new Error('ENODEV');
        if (type === RTM_DELLINK) {
          ns.links.delete(existing.index);
          if (existing.peer) existing.peer[0].links.delete(existing.peer[1]);
          return null;
        }
        return ifinfomsg(existing.index);
      }
      const info = attrs.get(18);
      if (!info) {
        if (!existing) throw new Error('ENODEV');
        if (dv.getUint32(12, true) & IFF_UP) existing.up = (dv.getUint32(8, true) & IFF_UP) !== 0;
        return null;
      }
      if (existing && flags & NLM_F_EXCL) throw new Error('EEXIST');
      const li = decodeAttrs(info, 0);
      const kind = text(li.get(1));
      const up = (dv.getUint32(8, true) & IFF_UP) !== 0;
      const link = ns.add({ name, kind, up, master: u32(attrs.get(10)), mac: '', addrs: [] });
      if (link.master && !ns.links.has(link.master)) throw new Error('ENODEV');
      if (kind === 'veth') {
        const peerInfo = decodeAttrs(li.get(2)!, 0).get(1)!;
        const pa = decodeAttrs(peerInfo, 16);
        const target = this.nsFds.get(u32(pa.get(28)))!;
        const peer = target.add({ name: text(pa.get(3)), kind: 'veth', up: false, master: 0, mac: [...pa.get(1)!].map((b) => b.toString(16).padStart(2, '0')).join(':'), addrs: [], peer: [ns, link.index] });
        link.peer = [target, peer.index];
      }
      return null;
    }
    if (type === RTM_NEWADDR) {
      const link = ns.links.get(dv.getUint32(4, true));
      if (!link) throw new Error('ENODEV');
      const a = `${ip(decodeAttrs(body, 8).get(2))}/${dv.getUint8(1)}`;
      if (link.addrs.includes(a)) throw new Error('EEXIST');
      link.addrs.push(a);
      return null;
    }
    if (type === RTM_NEWROUTE) {
      const attrs = decodeAttrs(body, 12);
      const link = ns.links.get(u32(attrs.get(4)));
      if (!link?.up || link.addrs.length === 0) throw new Error('ENETUNREACH');
      ns.routes.push(`default via ${ip(attrs.get(5))} dev ${link.name}`);
      return null;
    }
    throw new Error('EOPNOTSUPP');
  }
}
