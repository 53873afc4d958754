// The build context: .dockerignore matching as the Docker client does it, the tar the CLI sends
// (ignored files left out, the Dockerfile always kept) and the daemon's unpacking of it.
import { describe, expect, it } from 'vitest';
import { contextMatcher, parseDockerignore, IgnoreMatcher } from '../../../../src/guest/build/context/dockerignore.ts';
import { tarContext } from '../../../../src/guest/build/context/send.ts';
import { extractContext, ContextError } from '../../../../src/guest/build/context/extract.ts';
import { tarArchive } from '../../../../src/guest/build/context/tarwrite.ts';
import { FakeSyscalls } from '../../../../src/guest/sys/fake.ts';
import { mkdirp } from '../../../../src/guest/util/fsutil.ts';
import { utf8Decode } from '../../../../src/guest/util/text.ts';

const matcher = (text: string): IgnoreMatcher => new IgnoreMatcher(parseDockerignore(text));

describe('.dockerignore', () => {
  const cases: [string, string, boolean][] = [
    ['*.log', 'a.log', true],
    ['*.log', 'dir/a.log', false],
    ['**/*.log', 'dir/sub/a.log', true],
    ['**/*.log', 'a.log', true],
    ['node_modules', 'node_modules/x/y.js', true],
    ['/build', 'build/out', true],
    ['./build/', 'build', true],
    ['temp?', 'temp1', true],
    ['temp?', 'temp12', false],
    ['[abc].txt', 'b.txt', true],
    ['[!abc].txt', 'b.txt', false],
    ['# comment\n\n*.md\n!README.md', 'README.md', false],
    ['*.md\n!README.md', 'CHANGES.md', true],
    ['docs\n!docs/keep.md', 'docs/keep.md', false],
    ['docs\n!docs/keep.md', 'docs/other.md', true],
    ['!keep\n*', 'keep', true],
    ['a/**/z', 'a/b/c/z', true],
    ['a/**/z', 'a/z', true],
  ];
  it.each(cases)('%j: %s ignored %s', (patterns, path, ignored) => {
    expect(matcher(patterns).ignored(path)).toBe(ignored);
  });

  it('walks an ignored folder only when an exception may bring something back', () => {
    expect(matcher('docs').mustWalk('docs')).toBe(false);
    expect(matcher('docs\n!docs/keep.md').mustWalk('docs')).toBe(true);
    expect(matcher('docs\n!other/x').mustWalk('docs')).toBe(false);
  });

  it('always sends the Dockerfile and .dockerignore', () => {
    const m = contextMatcher('*\n', 'build/Dockerfile.dev');
    expect(m.ignored('build/Dockerfile.dev')).toBe(false);
    expect(m.ignored('.dockerignore')).toBe(false);
    expect(m.ignored('src/x')).toBe(true);
  });

  it('refuses a lone !', () => {
    expect(() => parseDockerignore('!\n')).toThrow('illegal exclusion pattern: "!"');
  });
});

describe('context tar', () => {
  it('leaves out ignored files and folders, and unpacks to the same tree with modes', () => {
    const sys = new FakeSyscalls();
    mkdirp(sys, '/ctx/src');
    mkdirp(sys, '/ctx/node_modules/pkg');
    sys.writeFile('/ctx/Dockerfile', 'FROM busybox\n');
    sys.writeFile('/ctx/.dockerignore', 'node_modules\n*.log\n');
    sys.writeFile('/ctx/src/app.sh', 'echo hi\n', 0o755);
    sys.writeFile('/ctx/debug.log', 'x');
    sys.writeFile('/ctx/node_modules/pkg/index.js', 'x');
    sys.symlink('src/app.sh', '/ctx/run');
    const { tar, files } = tarContext(sys, '/ctx', 'Dockerfile');
    expect(files).toBe(4);
    mkdirp(sys, '/out');
    extractContext(sys, tar, '/out');
    expect(sys.readdir('/out').map((e) => e.name).filter((n) => n !== '.' && n !== '..').sort()).toEqual(['.dockerignore', 'Dockerfile', 'run', 'src']);
    expect(utf8Decode(sys.readFile('/out/src/app.sh'))).toBe('echo hi\n');
    expect(sys.lstat('/out/src/app.sh').mode & 0o777).toBe(0o755);
    expect(sys.readlink('/out/run')).toBe('src/app.sh');
  });

  it('refuses entries that would leave the context folder', () => {
    const sys = new FakeSyscalls();
    const tar = tarArchive([{ path: '../escape', type: 'file', mode: 0o644, data: new Uint8Array(1) }]);
    expect(() => extractContext(sys, tar, '/out')).toThrow(ContextError);
  });
});
