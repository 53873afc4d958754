import { describe, expect, it } from 'vitest';
import {
  apiPorts, displayPorts, parseExpose, parsePortSpec, parsePublish, portLines, PortSpecError, standardNotation, type ApiPort,
} from '../../../src/guest/net/ports.ts';

describe('port specs (docker run -p)', () => {
  const ok: [string, [string, string, string][]][] = [
    ['80', [['80/tcp', '', '']]],
    ['8080:80', [['80/tcp', '', '8080']]],
    ['127.0.0.1:8080:80', [['80/tcp', '127.0.0.1', '8080']]],
    ['127.0.0.1::80', [['80/tcp', '127.0.0.1', '']]],
    ['8080:80/udp', [['80/udp', '', '8080']]],
    ['53:53/UDP', [['53/udp', '', '53']]],
    ['80/', [['80/tcp', '', '']]],
    ['5000-5002:6000-6002', [['6000/tcp', '', '5000'], ['6001/tcp', '', '5001'], ['6002/tcp', '', '5002']]],
    ['7000-7001', [['7000/tcp', '', ''], ['7001/tcp', '', '']]],
    ['8000-8010:80', [['80/tcp', '', '8000-8010']]],
    ['[::1]:8080:80', [['80/tcp', '::1', '8080']]],
    ['0.0.0.0:9000:9000/sctp', [['9000/sctp', '0.0.0.0', '9000']]],
  ];
  it.each(ok)('%s', (spec, want) => {
    expect(parsePortSpec(spec).map((m) => [m.port, m.binding.HostIp, m.binding.HostPort])).toEqual(want);
  });

  const bad: [string, string][] = [
    ['', 'no port specified: <empty>'],
    ['8080:', 'no port specified: 8080:<empty>'],
    ['abc', 'invalid containerPort: abc'],
    ['8080:abc', 'invalid containerPort: abc'],
    ['70000', 'invalid containerPort: 70000'],
    ['x:80', 'invalid hostPort: x'],
    ['65536:80', 'invalid hostPort: 65536'],
    ['8080:80/xyz', 'invalid proto: xyz'],
    ['1.2.3:8080:80', 'invalid IP address: 1.2.3'],
    ['localhost:8080:80', 'invalid IP address: localhost'],
    ['9-8:80', 'invalid hostPort: 9-8'],
    ['1000-1002:80-81', 'invalid ranges specified for container and host Ports: 80-81 and 1000-1002'],
  ];
  it.each(bad)('rejects %j with Docker\'s text', (spec, msg) => {
    expect(() => parsePortSpec(spec)).toThrow(new PortSpecError(msg));
  });

  it('collects ExposedPorts and PortBindings over every -p, long form included', () => {
    expect(standardNotation('published=8080,target=80')).toBe('8080:80/tcp');
    expect(standardNotation('target=53,published=5353,protocol=udp')).toBe('5353:53/udp');
    expect(() => standardNotation('published=8080,target')).toThrow("invalid publish opts format (should be name=value but got 'target')");
    expect(parsePublish(['8080:80', '127.0.0.1:8081:80', 'published=53,target=53,protocol=udp'])).toEqual({
      exposed: { '80/tcp': {}, '53/udp': {} },
      bindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }, { HostIp: '127.0.0.1', HostPort: '8081' }], '53/udp': [{ HostIp: '', HostPort: '53' }] },
    });
  });

  it('parses --expose', () => {
    expect(parseExpose(['80', '90-91/udp'])).toEqual({ '80/tcp': {}, '90/udp': {}, '91/udp': {} });
    expect(() => parseExpose(['8080:80'])).toThrow('invalid port format for --expose: 8080:80');
    expect(() => parseExpose(['abc'])).toThrow('invalid range format for --expose: abc');
  });
});

describe('ports as docker ps and docker port print them', () => {
  const table: [string, ApiPort[], string][] = [
    ['one published port', [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }], '0.0.0.0:8080->80/tcp'],
    ['exposed only', [{ PrivatePort: 80, Type: 'tcp' }], '80/tcp'],
    ['exposed range and udp', [{ PrivatePort: 81, Type: 'tcp' }, { PrivatePort: 80, Type: 'tcp' }, { PrivatePort: 53, Type: 'udp' }], '53/udp, 80-81/tcp'],
    ['same number published, grouped', [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 80, Type: 'tcp' }, { IP: '0.0.0.0', PrivatePort: 81, PublicPort: 81, Type: 'tcp' }], '0.0.0.0:80-81->80-81/tcp'],
    ['mappings after groups', [{ IP: '127.0.0.1', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }, { PrivatePort: 443, Type: 'tcp' }], '443/tcp, 127.0.0.1:8080->80/tcp'],
    ['a gap starts a new group', [{ PrivatePort: 80, Type: 'tcp' }, { PrivatePort: 82, Type: 'tcp' }], '80/tcp, 82/tcp'],
    ['nothing', [], ''],
  ];
  it.each(table)('%s', (_, ports, want) => expect(displayPorts(ports)).toBe(want));

  it('turns NetworkSettings.Ports into the API list', () => {
    expect(apiPorts({ '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '443/tcp': null })).toEqual([
      { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
      { PrivatePort: 443, Type: 'tcp' },
    ]);
  });

  it('prints docker port lines and errors', () => {
    const ports = { '8080/tcp': [{ HostIp: '0.0.0.0', HostPort: '32768' }], '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '443/tcp': null };
    expect(portLines(ports, 'web')).toEqual(['80/tcp -> 0.0.0.0:8080', '8080/tcp -> 0.0.0.0:32768']);
    expect(portLines(ports, 'web', '80')).toEqual(['0.0.0.0:8080']);
    expect(portLines(ports, 'web', '80/tcp')).toEqual(['0.0.0.0:8080']);
    expect(() => portLines(ports, 'web', '443')).toThrow("Error: No public port '443' published for web");
    expect(() => portLines(ports, 'web', '81/udp')).toThrow("Error: No public port '81/udp' published for web");
    expect(() => portLines(ports, 'web', 'http')).toThrow('Error: invalid port (http)');
  });
});
