import { describe, expect, it } from 'vitest';
import { parseCheckOutput, shellQuote } from '../../src/lessons/runner.ts';

describe('parseCheckOutput', () => {
  it('keeps FAIL: and HINT: lines in order and ignores the rest', () => {
    expect(parseCheckOutput('noise\nFAIL: no file\n  HINT: try ls\r\nFAILED: not this\nHINT:\n')).toEqual([
      { kind: 'fail', text: 'no file' },
      { kind: 'hint', text: 'try ls' },
      { kind: 'hint', text: '' },
    ]);
  });
});

describe('shellQuote', () => {
  it('survives quotes for sh', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});
