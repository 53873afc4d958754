// The interpolation and .env stages on their own: each form of ${...}, and .env quoting rules.
import { describe, expect, it } from 'vitest';
import { interpolateString } from '../../../src/guest/compose/interpolate.ts';
import { parseDotenv } from '../../../src/guest/compose/dotenv.ts';
import { formatDuration, parseDuration } from '../../../src/guest/compose/units.ts';
import { splitWords } from '../../../src/guest/compose/shellwords.ts';

const env: Record<string, string> = { SET: 'v', EMPTY: '' };
const look = (n: string): string | undefined => env[n];

describe('interpolation', () => {
  const table: [string, string][] = [
    ['plain', 'plain'],
    ['$SET-${SET}', 'v-v'],
    ['${EMPTY:-d}|${EMPTY-d}|${UNSET-d}|${UNSET:-d}', 'd||d|d'],
    ['${SET:+alt}|${EMPTY:+alt}|${EMPTY+alt}|${UNSET+alt}', 'alt||alt|'],
    ['$$SET $${SET}', '$SET ${SET}'],
    ['${UNSET:-${SET}-nested}', 'v-nested'],
    ['${SET:?never}', 'v'],
  ];
  for (const [input, want] of table) it(`${input} -> ${want}`, () => expect(interpolateString(input, look, 'x')).toBe(want));

  it('warns once per unset variable through the hook and expands it to nothing', () => {
    const missing: string[] = [];
    expect(interpolateString('a${UNSET}b$UNSET', look, 'x', (n) => missing.push(n))).toBe('ab');
    expect(missing).toEqual(['UNSET', 'UNSET']);
  });
  it('? fails for unset, :? also for empty', () => {
    expect(() => interpolateString('${UNSET?gone}', look, 'services.a.image')).toThrow('error while interpolating services.a.image: required variable UNSET is missing a value: gone');
    expect(interpolateString('${EMPTY?gone}', look, 'x')).toBe('');
    expect(() => interpolateString('${EMPTY:?}', look, 'x')).toThrow('required variable EMPTY is missing a value');
  });
  it('rejects a lone $ and a bad name', () => {
    expect(() => interpolateString('cost: 5$', look, 'x')).toThrow('invalid interpolation format for x');
    expect(() => interpolateString('${1X}', look, 'x')).toThrow('invalid interpolation format');
  });
});

describe('.env', () => {
  it('reads comments, export, quotes, inline comments and earlier variables', () => {
    const text = [
      '# comment',
      'A=1',
      'export B = two words ',
      "C='literal $A #not-a-comment'",
      'D="line\\nnext ${A}"',
      'E=value # comment',
      'F=',
      'G',
      'H="multi',
      'line"',
    ].join('\n');
    expect(parseDotenv(text, '.env', (n) => (n === 'G' ? 'from-env' : undefined))).toEqual({
      A: '1', B: 'two words', C: 'literal $A #not-a-comment', D: 'line\nnext 1', E: 'value', F: '', G: 'from-env', H: 'multi\nline',
    });
  });
  it('reports a bad line with its number', () => {
    expect(() => parseDotenv('A=1\nB C=2\n', '/p/.env')).toThrow('failed to read /p/.env: line 2: unexpected character');
  });
});

describe('units and words', () => {
  it("prints durations as Go's time.Duration does", () => {
    expect(['10s', '90s', '1h', '1m30s', '500ms', '1.5s', '0'].map((d) => formatDuration(parseDuration(d, 'x')))).toEqual(['10s', '1m30s', '1h0m0s', '1m30s', '500ms', '1.5s', '0s']);
    expect(() => parseDuration('10 seconds', 'services.a.healthcheck.interval')).toThrow('invalid duration');
  });
  it('splits command strings as a shell would, without expanding', () => {
    expect(splitWords(`sh -c 'echo "$HOME"' "a b" c\\ d`, 'x')).toEqual(['sh', '-c', 'echo "$HOME"', 'a b', 'c d']);
    expect(() => splitWords(`echo 'open`, 'services.a.command')).toThrow('services.a.command: invalid command line string');
  });
});
