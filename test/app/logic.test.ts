import { describe, expect, it } from 'vitest';
import { changedFiles, clampFraction, languageOf, markDone, moveTo, needsBiggerGuest, parseMeminfo, PromptWatcher, parseStatLines, shouldLoadFile, terminalInput, unsupportedReason } from '../../src/app/logic.ts';

describe('terminalInput', () => {
  it('run presses Enter after each line; run-interrupt sends Ctrl-C first; type leaves Enter out; copy types nothing', () => {
    expect(terminalInput('run', 'uname -a\n')).toBe('uname -a\r');
    expect(terminalInput('run', 'a\nb')).toBe('a\rb\r');
    expect(terminalInput('run-interrupt', 'ls')).toBe('\x03ls\r');
    expect(terminalInput('type', 'docker run ')).toBe('docker run ');
    expect(terminalInput('copy', 'x')).toBeNull();
    expect(terminalInput(null, 'x')).toBeNull();
  });
});

describe('file polling', () => {
  const out = '1700000000 12 /root/lab/Dockerfile\n1700000001 3 /root/lab/app/main.sh\ngarbage\n1 1 /etc/passwd\n';
  it('parses stat lines under the root only, sorted', () => {
    expect(parseStatLines(out, '/root/lab')).toEqual([
      { path: 'app/main.sh', size: 3, mtime: 1700000001 },
      { path: 'Dockerfile', size: 12, mtime: 1700000000 },
    ]);
  });
  it('reports new and changed files', () => {
    const a = parseStatLines(out, '/root/lab');
    const b = parseStatLines(out.replace('1700000000 12', '1700000000 13') + '5 5 /root/lab/new', '/root/lab');
    expect(changedFiles(a, b)).toEqual(['Dockerfile', 'new']);
    expect(changedFiles(a, a)).toEqual([]);
  });
});

describe('guest size for a lesson', () => {
  it('boots a bigger guest only when the lesson needs more than the running one has', () => {
    expect(needsBiggerGuest(null, null)).toBe(false);
    expect(needsBiggerGuest(512, null)).toBe(true);
    expect(needsBiggerGuest(512, 512)).toBe(false);
    expect(needsBiggerGuest(384, 512)).toBe(false);
    expect(needsBiggerGuest(null, 512)).toBe(false);
    expect(needsBiggerGuest(1024, 512)).toBe(true);
    expect(needsBiggerGuest(256, null)).toBe(false);
  });
});

describe('small pure helpers', () => {
  it('meminfo', () => {
    expect(parseMeminfo('MemTotal:  253000 kB\nMemFree: 1 kB\nMemAvailable:  200000 kB\n')).toEqual({ usedMiB: 52, totalMiB: 247 });
    expect(parseMeminfo('nonsense')).toBeNull();
  });
  it('languages', () => {
    expect(languageOf('Dockerfile')).toBe('dockerfile');
    expect(languageOf('web/compose.yaml')).toBe('yaml');
    expect(languageOf('run.sh')).toBe('shell');
    expect(languageOf('config.json')).toBe('json');
    expect(languageOf('notes.txt')).toBe('plaintext');
  });
  it('splitter limits', () => {
    expect(clampFraction(0.01)).toBe(0.15);
    expect(clampFraction(2)).toBe(0.85);
    expect(clampFraction(Number.NaN)).toBe(0.5);
  });
  it('progress', () => {
    const p = markDone(markDone({ current: 2, done: [3] }, 1), 1);
    expect(p.done).toEqual([1, 3]);
    expect(moveTo(p, 9, 4).current).toBe(4);
    expect(moveTo(p, -1, 4).current).toBe(0);
  });
  it('unsupported browsers get a reason', () => {
    expect(unsupportedReason({ webAssembly: false, worker: true })).toMatch(/WebAssembly/);
    expect(unsupportedReason({ webAssembly: true, worker: true, deviceMemoryGiB: 0.5 })).toMatch(/memory/);
    expect(unsupportedReason({ webAssembly: true, worker: true, deviceMemoryGiB: 8 })).toBeNull();
  });
});

describe('shouldLoadFile', () => {
  const notes = { path: 'notes.txt', content: 'old\n' };
  it('loads the first file and any other file, dirty or not', () => {
    expect(shouldLoadFile(null, notes, false)).toBe(true);
    expect(shouldLoadFile(notes, { path: 'Dockerfile', content: 'FROM x\n' }, true)).toBe(true);
    expect(shouldLoadFile({ path: null, content: '' }, notes, false)).toBe(true);
  });
  it('keeps the model when only dirty changed (a save finishing must not revert the edit)', () => {
    expect(shouldLoadFile(notes, { ...notes }, false)).toBe(false);
    expect(shouldLoadFile(notes, { ...notes }, true)).toBe(false);
  });
  it('reloads new guest content of the open file unless the learner has unsaved edits', () => {
    expect(shouldLoadFile(notes, { path: 'notes.txt', content: 'new\n' }, false)).toBe(true);
    expect(shouldLoadFile(notes, { path: 'notes.txt', content: 'new\n' }, true)).toBe(false);
  });
});

describe('prompt watcher', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it('waits past the echo of the typed command for the prompt after the screen is cleared', () => {
    const w = new PromptWatcher();
    // as busybox ash in the guest echoes and answers it, cut at arbitrary places
    expect(w.feed(enc('stty rows 24 cols 80; mkdir -p /root/lesson && cd /root/lesson && clear\r\n'))).toBe(false);
    expect(w.feed(enc('\x1b[H\x1b'))).toBe(false);
    expect(w.feed(enc('[J'))).toBe(false);
    expect(w.feed(enc('root@whalebone:~/lesson'))).toBe(false);
    expect(w.feed(enc('# \x1b[6n'))).toBe(true);
  });

  it('is not fooled by a prompt printed before the clear', () => {
    const w = new PromptWatcher();
    expect(w.feed(enc('root@whalebone:~# stty rows 24 cols 80; clear\r\n'))).toBe(false);
    expect(w.feed(enc('\x1b[H\x1b[2J\x1b[3J$ '))).toBe(true);
  });
});
