// What compose prints besides config: the progress block on a terminal and its plain lines
// otherwise, the log prefixes, and the chunked log streams read piece by piece.
import { describe, expect, it } from 'vitest';
import { Progress } from '../../../src/guest/compose/progress.ts';
import { Dechunker, Prefixer } from '../../../src/guest/compose/logs.ts';

describe('progress', () => {
  it('redraws a [+] Running block in place on a terminal, with ✔ and the time taken', () => {
    let out = '';
    let now = 0;
    const p = new Progress({ write: (s) => (out += s), tty: true, columns: 60, now: () => now });
    p.working('Network demo_default', 'Creating');
    now = 100;
    p.done('Network demo_default', 'Created');
    p.working('Container demo-web-1', 'Starting');
    now = 600;
    p.done('Container demo-web-1', 'Started');
    const last = out.slice(out.lastIndexOf('\x1b[3A') + 4);
    expect(last.split('\n').map((l) => l.replace(/\r|\x1b\[K/g, ''))).toEqual([
      '[+] Running 2/2',
      ' ✔ Network demo_default  Created' + ' '.repeat(23) + '0.1s',
      ' ✔ Container demo-web-1  Started' + ' '.repeat(23) + '0.5s',
      '',
    ]);
  });

  it('prints one line per event without a terminal', () => {
    let out = '';
    const p = new Progress({ write: (s) => (out += s), tty: false, columns: 80, now: () => 0 });
    p.working('Container demo-web-1', 'Stopping');
    p.done('Container demo-web-1', 'Stopped');
    expect(out).toBe(' Container demo-web-1  Stopping\n Container demo-web-1  Stopped\n');
  });
});

describe('log output', () => {
  it('pads prefixes to the longest name and colours them only when asked', () => {
    const plain = new Prefixer(['db-1', 'wordpress-1'], false, true);
    expect(plain.head('db-1')).toBe('db-1         | ');
    expect(plain.colored('db-1', 'exited with code 0')).toBe('db-1 exited with code 0');
    const color = new Prefixer(['db-1', 'wordpress-1'], true, true);
    expect(color.head('wordpress-1')).toBe('\x1b[33mwordpress-1  | \x1b[0m');
    expect(new Prefixer(['a-1'], true, false).head('a-1')).toBe('');
  });

  it('decodes a chunked body however it is cut', () => {
    const body = '5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n';
    for (const cut of [1, 2, 3, 7, body.length]) {
      let got = '';
      const d = new Dechunker((b) => (got += new TextDecoder().decode(b)));
      for (let i = 0; i < body.length; i += cut) d.push(new TextEncoder().encode(body.slice(i, i + cut)));
      expect(got, `cut ${cut}`).toBe('hello, world');
      expect(d.done).toBe(true);
    }
  });
});
