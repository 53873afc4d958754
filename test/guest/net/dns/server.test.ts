import { describe, expect, it } from 'vitest';
import {
  RCODE_FORMERR, RCODE_NOERROR, RCODE_NXDOMAIN, RCODE_SERVFAIL, TYPE_A, TYPE_AAAA, TYPE_OPT, TYPE_PTR,
  decodeMessage, encodeMessage, query, type Message,
} from '../../../../src/guest/net/dns/message.ts';
import { answerDatagram, answerQuery, DnsServer, type NameTable } from '../../../../src/guest/net/dns/server.ts';
import { FakeSyscalls } from '../../../../src/guest/sys/fake.ts';
import { AF_INET, SOCK_DGRAM } from '../../../../src/guest/sys/constants.ts';

const table: NameTable = { names: { 'deb.debian.org': ['10.86.0.53'], 'security.debian.org': ['10.86.0.53'] } };

describe('dns server answers', () => {
  it('answers a name of the table, case-insensitively, authoritatively', async () => {
    const r = await answerQuery(query(9, 'DEB.debian.org'), table);
    expect(r.rcode).toBe(RCODE_NOERROR);
    expect(r.id).toBe(9);
    expect(r.authoritative).toBe(true);
    expect(r.answers.map((a) => a.data)).toEqual(['10.86.0.53']);
  });

  it('gives NODATA (no error, no answer) for AAAA of a known name, NXDOMAIN for others', async () => {
    const aaaa = await answerQuery(query(1, 'deb.debian.org', TYPE_AAAA), table);
    expect([aaaa.rcode, aaaa.answers.length]).toEqual([RCODE_NOERROR, 0]);
    const other = await answerQuery(query(2, 'example.com'), table);
    expect([other.rcode, other.answers.length]).toEqual([RCODE_NXDOMAIN, 0]);
  });

  it('answers reverse lookups of the table addresses', async () => {
    const r = await answerQuery(query(3, '53.0.86.10.in-addr.arpa', TYPE_PTR), table);
    expect(r.answers[0]?.data).toBe('deb.debian.org');
  });

  it('asks the fallback for other names, and turns its failure into SERVFAIL', async () => {
    const seen: string[] = [];
    const t: NameTable = {
      ...table,
      fallback: (q) => {
        seen.push(q.name);
        if (q.name === 'web') return { kind: 'addresses', addresses: ['172.18.0.2'] };
        if (q.name === 'boom') throw new Error('upstream down');
        return { kind: 'nxdomain' };
      },
    };
    expect((await answerQuery(query(1, 'web'), t)).answers[0]?.data).toBe('172.18.0.2');
    expect((await answerQuery(query(1, 'nope'), t)).rcode).toBe(RCODE_NXDOMAIN);
    expect((await answerQuery(query(1, 'boom'), t)).rcode).toBe(RCODE_SERVFAIL);
    expect((await answerQuery(query(1, 'deb.debian.org'), t)).answers).toHaveLength(1);
    expect(seen).toEqual(['web', 'nope', 'boom']);
  });

  it('echoes EDNS, and says FORMERR to a garbled query it can read the id of', async () => {
    const q: Message = { ...query(5, 'deb.debian.org'), additional: [{ name: '', type: TYPE_OPT, class: 4096, ttl: 0, data: new Uint8Array(0) }] };
    const r = decodeMessage((await answerDatagram(encodeMessage(q), table))!);
    expect(r.additional.map((a) => a.type)).toEqual([TYPE_OPT]);
    const garbled = encodeMessage(query(0xabcd, 'deb.debian.org')).subarray(0, 20);
    const f = decodeMessage((await answerDatagram(garbled, table))!);
    expect([f.id, f.rcode]).toEqual([0xabcd, RCODE_FORMERR]);
    expect(await answerDatagram(new Uint8Array(3), table)).toBeNull();
  });
});

describe('DnsServer on the Syscalls seam', () => {
  it('binds a UDP socket and answers each waiting datagram to its sender', async () => {
    const sys = new FakeSyscalls();
    const server = new DnsServer(sys, table);
    server.start('10.86.0.53');
    const socket = sys.calls.find((c) => c.name === 'socket');
    expect(socket?.args.slice(0, 1)).toEqual([AF_INET]);
    expect((socket?.args[1] as number) & 0xf).toBe(SOCK_DGRAM);
    const fd = sys.calls.find((c) => c.name === 'bind')?.args[0] as number;
    expect(sys.calls.find((c) => c.name === 'bind')?.args[1]).toEqual({ family: 'inet', host: '10.86.0.53', port: 53 });
    sys.pushDatagram(fd, encodeMessage(query(1, 'deb.debian.org')), { family: 'inet', host: '172.17.0.2', port: 40000 });
    sys.pushDatagram(fd, encodeMessage(query(2, 'example.com')), { family: 'inet', host: '172.17.0.3', port: 40001 });
    sys.fire(fd, 'read');
    await new Promise((r) => setTimeout(r, 0));
    expect(sys.sentDatagrams.map((d) => d.peer.host)).toEqual(['172.17.0.2', '172.17.0.3']);
    const [a, b] = sys.sentDatagrams.map((d) => decodeMessage(d.data));
    expect(a?.answers[0]?.data).toBe('10.86.0.53');
    expect(b?.rcode).toBe(RCODE_NXDOMAIN);
    server.stop();
    expect(sys.calls.at(-1)?.name).toBe('close');
  });
});
