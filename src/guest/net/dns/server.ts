// A small UDP name server: a names table answered authoritatively, then an optional fallback hook
// (for example Docker's embedded DNS: container names, then forwarding). Used by the offline
// mirror (src/guest/mirror) and meant for the embedded DNS at 127.0.0.11; see README.md.
import type { Syscalls, Fd } from '../../sys/syscalls.ts';
import { AF_INET, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK } from '../../sys/constants.ts';
import { isErrno } from '../../sys/errors.ts';
import {
  CLASS_IN, DnsFormatError, RCODE_FORMERR, RCODE_NOERROR, RCODE_NOTIMP, RCODE_NXDOMAIN, RCODE_REFUSED, RCODE_SERVFAIL,
  TYPE_A, TYPE_OPT, TYPE_PTR, decodeMessage, encodeMessage, reverseName, type Message, type Question, type ResourceRecord,
} from './message.ts';

/** What a fallback decides for a name the table does not hold. */
export type Resolution =
  /** These IPv4 addresses (for an A question; other types get an empty, NOERROR answer). */
  | { kind: 'addresses'; addresses: string[] }
  /** The name does not exist. */
  | { kind: 'nxdomain' }
  /** A whole answer made elsewhere (e.g. forwarded upstream); its id is replaced by the query's. */
  | { kind: 'reply'; message: Message };

export type Fallback = (question: Question, query: Message) => Resolution | Promise<Resolution>;

export interface NameTable {
  /** Lower-case name (no trailing dot) -> IPv4 addresses. Reverse (PTR) answers come from it too. */
  names: Record<string, string[]>;
  /** Asked for names outside the table; without one, they are NXDOMAIN. */
  fallback?: Fallback;
  /** TTL of our answers, in seconds (default 60). */
  ttl?: number;
}

/** The largest UDP answer we send to a client that did not announce a larger one (RFC 1035). */
const PLAIN_UDP_LIMIT = 512;
const EDNS_PAYLOAD = 1232;

function reply(q: Message, rcode: number, answers: ResourceRecord[] = [], authoritative = true): Message {
  const edns = q.additional.some((r) => r.type === TYPE_OPT);
  return {
    id: q.id, response: true, opcode: q.opcode, authoritative, truncated: false,
    recursionDesired: q.recursionDesired, recursionAvailable: true, rcode,
    questions: q.questions, answers, authority: [],
    // RFC 6891: a responder that understands EDNS answers an OPT with an OPT.
    additional: edns ? [{ name: '', type: TYPE_OPT, class: EDNS_PAYLOAD, ttl: 0, data: new Uint8Array(0) }] : [],
  };
}

/** Answers one decoded query from the table and the fallback. Never throws for a client's input. */
export async function answerQuery(q: Message, table: NameTable): Promise<Message> {
  if (q.response) return reply(q, RCODE_FORMERR);
  if (q.opcode !== 0) return reply(q, RCODE_NOTIMP);
  const question = q.questions[0];
  // Every resolver in use sends exactly one question; RFC 9619 makes any other count an error.
  if (!question || q.questions.length !== 1) return reply(q, RCODE_FORMERR);
  if (question.class !== CLASS_IN) return reply(q, RCODE_REFUSED);
  const ttl = table.ttl ?? 60;
  const name = question.name.toLowerCase().replace(/\.$/, '');
  const known = Object.prototype.hasOwnProperty.call(table.names, name) ? table.names[name] : undefined;
  if (known) {
    // A name we hold has no other record types: NOERROR with no answer ("NODATA"), so a resolver
    // asking A and AAAA together still uses the A answer.
    const answers = question.type === TYPE_A ? known.map((ip) => ({ name: question.name, type: TYPE_A, class: CLASS_IN, ttl, data: ip })) : [];
    return reply(q, RCODE_NOERROR, answers);
  }
  if (question.type === TYPE_PTR) {
    const owner = Object.entries(table.names).find(([, ips]) => ips.some((ip) => reverseName(ip) === name));
    if (owner) return reply(q, RCODE_NOERROR, [{ name: question.name, type: TYPE_PTR, class: CLASS_IN, ttl, data: owner[0] }]);
  }
  if (!table.fallback) return reply(q, RCODE_NXDOMAIN);
  let r: Resolution;
  try {
    r = await table.fallback(question, q);
  } catch {
    return reply(q, RCODE_SERVFAIL, [], false);
  }
  if (r.kind === 'nxdomain') return reply(q, RCODE_NXDOMAIN, [], false);
  if (r.kind === 'reply') return { ...r.message, id: q.id };
  const answers = question.type === TYPE_A ? r.addresses.map((ip) => ({ name: question.name, type: TYPE_A, class: CLASS_IN, ttl, data: ip })) : [];
  return reply(q, RCODE_NOERROR, answers, false);
}

/** Answers the raw bytes of one datagram; null when there is nothing to answer (not even an id). */
export async function answerDatagram(data: Uint8Array, table: NameTable): Promise<Uint8Array | null> {
  let q: Message;
  try {
    q = decodeMessage(data);
  } catch (e) {
    if (!(e instanceof DnsFormatError) || data.length < 12) return null;
    // The header is readable: say FORMERR to that id, echoing nothing else.
    const id = (data[0]! << 8) | data[1]!;
    return encodeMessage({ ...reply({ id, response: false, opcode: (data[2]! >> 3) & 0xf, authoritative: false, truncated: false, recursionDesired: (data[2]! & 1) === 1, recursionAvailable: false, rcode: 0, questions: [], answers: [], authority: [], additional: [] }, RCODE_FORMERR) });
  }
  const m = await answerQuery(q, table);
  let out = encodeMessage(m);
  const opt = q.additional.find((r) => r.type === TYPE_OPT);
  const limit = opt ? Math.max(PLAIN_UDP_LIMIT, opt.class) : PLAIN_UDP_LIMIT;
  // Too long for the client: the header and question with TC set, so it retries over TCP.
  if (out.length > limit) out = encodeMessage({ ...m, truncated: true, answers: [], authority: [], additional: [] });
  return out;
}

/**
 * The server: one UDP socket, answered on the event loop. `start` binds (port 53 needs root);
 * `stop` closes it.
 */
export class DnsServer {
  private fd: Fd | null = null;
  private readonly buf = new Uint8Array(4096);

  constructor(private readonly sys: Syscalls, readonly table: NameTable) {}

  start(host: string, port = 53): void {
    const fd = this.sys.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
    try {
      this.sys.bind(fd, { family: 'inet', host, port });
    } catch (e) {
      this.sys.close(fd);
      throw e;
    }
    this.fd = fd;
    this.sys.watch(fd, 'read', () => this.drain());
  }

  stop(): void {
    if (this.fd === null) return;
    this.sys.watch(this.fd, 'read', null);
    this.sys.close(this.fd);
    this.fd = null;
  }

  /** Reads every waiting datagram; each answer is sent when it is ready (a fallback may be slow). */
  drain(): void {
    const fd = this.fd;
    if (fd === null) return;
    for (;;) {
      let got;
      try {
        got = this.sys.recvFrom(fd, this.buf);
      } catch (e) {
        if (isErrno(e, 'EAGAIN')) return;
        throw e;
      }
      const { from } = got;
      void answerDatagram(this.buf.slice(0, got.count), this.table).then((out) => {
        if (!out || this.fd !== fd) return;
        try {
          this.sys.sendTo(fd, out, from);
        } catch {
          // The client went away (or its buffer is full): it will ask again.
        }
      });
    }
  }
}
