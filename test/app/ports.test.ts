import { describe, expect, it } from 'vitest';
import { parseListening, parsePortsOutput, parsePublished } from '../../src/app/ports.ts';

describe('ports panel parsing', () => {
  it('reads published TCP ports from docker ps, once per host port', () => {
    const ps = ['web 0.0.0.0:8080->80/tcp, :::8080->80/tcp', 'dns 0.0.0.0:5353->53/udp', 'api 127.0.0.1:3000->3000/tcp, 0.0.0.0:9000-9001->9000-9001/tcp', 'quiet ', ''].join('\n');
    expect(parsePublished(ps)).toEqual([
      { hostPort: 3000, containerPort: 3000, container: 'api' },
      { hostPort: 8080, containerPort: 80, container: 'web' },
    ]);
  });

  it('reads listening ports from /proc/net/tcp and tcp6, without loopback-only ones', () => {
    const proc = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1',
      '   1: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1',
      '   2: 6456A8C0:0016 0100A8C0:C350 01 00000000:00000000 00:00000000 00000000     0        0 3 1',
      '   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4 1',
    ].join('\n');
    expect(parseListening(proc)).toEqual([80, 8080]);
    expect(parsePortsOutput(`web 0.0.0.0:8080->80/tcp\n--proc--\n${proc}`)).toEqual({ published: [{ hostPort: 8080, containerPort: 80, container: 'web' }], listening: [80, 8080] });
  });
});
