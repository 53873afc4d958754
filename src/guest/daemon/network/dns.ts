// Docker's embedded name server: every container on a user-defined network asks 127.0.0.11 (its
// resolv.conf says so) and gets the addresses of the containers that share a network with it,
// by name, network alias or short ID; other names are forwarded to the guest's resolver (or the
// container's --dns servers). One DnsServer (net/dns) per container, all in dockerd's event
// loop: dockerd steps into the container's network namespace, binds 127.0.0.11:53 there and
// steps back; the socket stays in that namespace. Forwarded queries leave from dockerd's own
// namespace, where the guest's resolver is reachable.

import type { Fd, Syscalls } from '../../sys/syscalls.ts';
import { AF_INET, CLONE_NEWNET, O_CLOEXEC, O_RDONLY, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK } from '../../sys/constants.ts';
import { isErrno } from '../../sys/errors.ts';
import { DnsServer } from '../../net/dns/server.ts';
import { decodeMessage, encodeMessage, type Message, type Question } from '../../net/dns/message.ts';

export const EMBEDDED_DNS = '127.0.0.11';

/** How long a forwarded query waits for the upstream server. */
const FORWARD_TIMEOUT_MS = 4000;

export interface DnsPolicy {
  /** Addresses of a name for the container of this sandbox, or null when no container there has it. */
  lookup(sandboxKey: string, name: string): string[] | null;
  /** The servers to forward other names to, for this sandbox. */
  upstreams(sandboxKey: string): string[];
}

/** Sends queries upstream from one UDP socket of dockerd's namespace and matches the answers by id. */
class Forwarder {
  private fd: Fd | null = null;
  private nextId = 1;
  private pending = new Map<number, { done: (m: Message | null) => void; timer: unknown; id: number }>();
  private readonly buf = new Uint8Array(4096);

  constructor(private sys: Syscalls) {}

  private socket(): Fd {
    if (this.fd !== null) return this.fd;
    const fd = this.sys.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
    this.fd = fd;
    this.sys.watch(fd, 'read', () => this.drain());
    return fd;
  }

  private drain(): void {
    if (this.fd === null) return;
    for (;;) {
      let n: number;
      try {
        n = this.sys.recvFrom(this.fd, this.buf).count;
      } catch (e) {
        if (isErrno(e, 'EAGAIN')) return;
        return;
      }
      let m: Message;
      try {
        m = decodeMessage(this.buf.slice(0, n));
      } catch {
        continue;
      }
      const p = this.pending.get(m.id);
      if (!p) continue;
      this.pending.delete(m.id);
      this.sys.clearTimer(p.timer);
      p.done(m);
    }
  }

  /** The upstream's answer, or null after the timeout (the client then hears SERVFAIL). */
  ask(query: Message, server: string): Promise<Message | null> {
    const fd = this.socket();
    const id = this.nextId;
    this.nextId = (this.nextId % 0xffff) + 1;
    return new Promise((resolve) => {
      const timer = this.sys.setTimer(FORWARD_TIMEOUT_MS, () => {
        this.pending.delete(id);
        resolve(null);
      });
      this.pending.set(id, { done: resolve, timer, id });
      try {
        this.sys.sendTo(fd, encodeMessage({ ...query, id }), { family: 'inet', host: server, port: 53 });
      } catch {
        this.pending.delete(id);
        this.sys.clearTimer(timer);
        resolve(null);
      }
    });
  }
}

export class EmbeddedDns {
  private servers = new Map<string, DnsServer>();
  private forwarder: Forwarder;

  constructor(
    private sys: Syscalls,
    private policy: DnsPolicy,
  ) {
    this.forwarder = new Forwarder(sys);
  }

  /** Starts the name server inside the sandbox at sandboxKey (a bound network namespace). */
  start(sandboxKey: string): void {
    if (this.servers.has(sandboxKey)) return;
    const server = new DnsServer(this.sys, {
      names: {},
      ttl: 600,
      fallback: (q: Question, query: Message) => this.resolve(sandboxKey, q, query),
    });
    const own = this.sys.open('/proc/self/ns/net', O_RDONLY | O_CLOEXEC);
    const target = this.sys.open(sandboxKey, O_RDONLY | O_CLOEXEC);
    try {
      this.sys.setns(target, CLONE_NEWNET);
      try {
        server.start(EMBEDDED_DNS, 53);
      } finally {
        this.sys.setns(own, CLONE_NEWNET);
      }
    } finally {
      this.sys.close(own);
      this.sys.close(target);
    }
    this.servers.set(sandboxKey, server);
  }

  stop(sandboxKey: string): void {
    this.servers.get(sandboxKey)?.stop();
    this.servers.delete(sandboxKey);
  }

  running(): string[] {
    return [...this.servers.keys()];
  }

  private async resolve(sandboxKey: string, q: Question, query: Message): Promise<import('../../net/dns/server.ts').Resolution> {
    const name = q.name.toLowerCase().replace(/\.$/, '');
    const local = this.policy.lookup(sandboxKey, name);
    if (local) return { kind: 'addresses', addresses: local };
    for (const server of this.policy.upstreams(sandboxKey)) {
      const answer = await this.forwarder.ask(query, server);
      if (answer) return { kind: 'reply', message: answer };
    }
    throw new Error('no upstream answered');
  }
}
