import { describe, expect, it } from 'vitest';
import { Events, matches, parseApiTime, validateFilters } from '../../../src/guest/daemon/events.ts';
import { apiTimestamp, prettyEvent } from '../../../src/guest/cli/commands/events.ts';

describe('the event stream', () => {
  let now = 1_700_000_000_000;
  const ev = new Events(() => now);

  it('emits Docker\'s event messages to subscribers and keeps them for --since', () => {
    const got: string[] = [];
    const off = ev.subscribe((e) => got.push(`${e.Type}:${e.Action}`));
    const first = ev.emit('container', 'start', 'abc123', { image: 'nginx', name: 'web' });
    expect(first).toEqual({
      status: 'start', id: 'abc123', from: 'nginx', Type: 'container', Action: 'start', Actor: { ID: 'abc123', Attributes: { image: 'nginx', name: 'web' } },
      scope: 'local', time: 1_700_000_000, timeNano: 1_700_000_000_000 * 1e6,
    });
    now += 5000;
    ev.emit('network', 'create', 'n1', { name: 'app', type: 'bridge' });
    off();
    ev.emit('network', 'destroy', 'n1', { name: 'app', type: 'bridge' });
    expect(got).toEqual(['container:start', 'network:create']);
    expect(ev.since(parseApiTime('1700000001'), now * 1e6).map((e) => e.Action)).toEqual(['create', 'destroy']);
    expect(ev.since(0, parseApiTime('1700000000.5')).map((e) => e.Action)).toEqual(['start']);
  });

  it('filters as Docker does: values of a key OR\'ed, keys AND\'ed', () => {
    const start = ev.emit('container', 'start', 'abc123', { image: 'nginx', name: 'web', 'com.example': 'x' });
    const net = ev.emit('network', 'connect', 'n1', { name: 'app', container: 'abc123', type: 'bridge' });
    expect(matches(start, { type: ['container'] })).toBe(true);
    expect(matches(net, { type: ['container'] })).toBe(false);
    expect(matches(start, { event: ['die', 'start'] })).toBe(true);
    expect(matches(start, { container: ['web'], event: ['die'] })).toBe(false);
    expect(matches(start, { container: ['abc'] })).toBe(true);
    expect(matches(start, { image: ['nginx'] })).toBe(true);
    expect(matches(start, { label: ['com.example=x'] })).toBe(true);
    expect(matches(net, { network: ['app'] })).toBe(true);
    expect(() => validateFilters({ colour: ['red'] })).toThrow("invalid filter 'colour'");
    expect(() => validateFilters({ type: ['thing'] })).toThrow("invalid filter 'type=thing'");
  });

  it('turns --since and --until into API timestamps and prints events as the CLI does', () => {
    const t = Date.UTC(2024, 4, 1, 10, 0, 0);
    expect(apiTimestamp('10m', t)).toBe(`${t / 1000 - 600}.000000000`);
    expect(apiTimestamp('1h30m', t)).toBe(`${t / 1000 - 5400}.000000000`);
    expect(apiTimestamp('1714557600', t)).toBe('1714557600');
    expect(apiTimestamp('2024-05-01T10:00:00Z', t)).toBe('1714557600.000000000');
    expect(apiTimestamp('2024-05-01', t)).toBe('1714521600.000000000');
    expect(() => apiTimestamp('yesterday', t)).toThrow('failed to parse value as time or duration: "yesterday"');
    expect(() => apiTimestamp('yesterday-ish', t)).toThrow('parsing time "yesterday-ish" as "2006-01-02": cannot parse "yesterday-ish" as "2006"');
    expect(prettyEvent({ Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: { name: 'web', image: 'nginx' } }, time: 1714557600, timeNano: 1714557600123 * 1e6 }))
      .toBe('2024-05-01T10:00:00.123000000Z container start abc (image=nginx, name=web)\n');
  });
});
