// The layer and lock logic of scripts/images-build on small trees: diffs become whiteouts, tars
// are reproducible, digests and diff_ids describe the bytes, bad recipes and locks are refused.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { diffTrees, stageDiff, writeLayerBlob } from '../../scripts/images-build/layer.ts';
import { aptPreferences, lockDifferences } from '../../scripts/images-build/locks.ts';
import { loadRecipes } from '../../scripts/images-build/recipe.ts';

const root = mkdtempSync(join(tmpdir(), 'layer-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>, links: Record<string, string> = {}): string {
  const dir = join(root, name);
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
  for (const [p, target] of Object.entries(links)) symlinkSync(target, join(dir, p));
  return dir;
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('layer diffs', () => {
  const lower = tree('lower', { 'a/b.txt': 'one', 'a/c.txt': 'gone soon', 'd/e': 'whole dir goes', 'keep': 'same' }, { link: 'keep' });
  const upper = tree('upper', { 'a/b.txt': 'two', 'g/h': 'new', 'keep': 'same' }, { link: 'keep' });

  it('finds changed, added and removed paths', () => {
    const d = diffTrees(lower, upper);
    expect(d.changed).toEqual(['a', 'a/b.txt', 'g', 'g/h']);
    expect(d.removed).toEqual(['a/c.txt', 'd']);
  });

  it('stages whiteouts and writes a reproducible gzip tar whose digests match its bytes', async () => {
    const staging = join(root, 'staging');
    await stageDiff(upper, diffTrees(lower, upper), staging);
    const blobs1 = join(root, 'blobs1');
    const blobs2 = join(root, 'blobs2');
    const first = await writeLayerBlob(staging, blobs1, 1700000000);
    const second = await writeLayerBlob(staging, blobs2, 1700000000);
    expect(second).toEqual(first);
    const gz = readFileSync(join(blobs1, 'sha256', first.digest.slice(7)));
    expect(sha(gz)).toBe(first.digest);
    expect(gz.length).toBe(first.size);
    expect(sha(gunzipSync(gz))).toBe(first.diffId);
    const names = execFileSync('tar', ['-tzvf', join(blobs1, 'sha256', first.digest.slice(7))], { env: { ...process.env, TZ: 'UTC' } }).toString();
    expect(names).toMatch(/ a\/\.wh\.c\.txt$/m);
    expect(names).toMatch(/ \.wh\.d$/m);
    expect(names).toMatch(/ g\/h$/m);
    expect(names).not.toMatch(/ keep$/m);
    expect(names).toContain('0/0'); // numeric owners
    expect(names).toContain('2023-11-14'); // the fixed mtime
    const other = await writeLayerBlob(staging, join(root, 'blobs3'), 1700000001);
    expect(other.diffId).not.toBe(first.diffId);
  });
});

describe('locks', () => {
  it('names every difference between a lock and what was installed', () => {
    const lock = [{ name: 'apt', version: '2.6.1', arch: 'i386' }, { name: 'dpkg', version: '1.21.22', arch: 'i386' }];
    expect(lockDifferences(lock, lock)).toEqual([]);
    const got = [{ name: 'apt', version: '2.6.2', arch: 'i386' }, { name: 'extra', version: '1', arch: 'all' }];
    expect(lockDifferences(lock, got)).toEqual([
      'apt: locked 2.6.1 (i386), the archive gave 2.6.2 (i386)',
      'dpkg 1.21.22 is locked but was not installed',
      'extra 1 was installed but is not in the lock',
    ]);
    expect(aptPreferences(lock)).toContain('Package: dpkg\nPin: version 1.21.22\nPin-Priority: 1001\n');
  });
});

describe('recipes', () => {
  const write = (images: unknown) => {
    const f = join(root, `recipes-${Math.random()}.json`);
    writeFileSync(f, JSON.stringify({ images }));
    return f;
  };
  it('loads the real recipes', () => {
    expect(loadRecipes().map((r) => r.name).sort()).toEqual(['busybox', 'debian', 'hello-world', 'mariadb', 'nginx', 'python', 'redis', 'wordpress']);
  });
  it('refuses bad input with a clear message', () => {
    expect(() => loadRecipes(write([{ name: 'Bad Name', tags: ['latest'], kind: 'busybox' }]))).toThrow(/lowercase repository name/);
    expect(() => loadRecipes(write([{ name: 'x', tags: ['no/slash'], kind: 'busybox' }]))).toThrow(/invalid tag/);
    expect(() => loadRecipes(write([{ name: 'x', tags: ['t'], kind: 'rpm' }]))).toThrow(/kind must be one of/);
    expect(() => loadRecipes(write([{ name: 'x', tags: ['t'], kind: 'debian-packages', base: 'nope', packages: ['a'] }]))).toThrow(/base must name a debian-base image/);
    expect(() => loadRecipes(write([{ name: 'x', tags: ['t'], kind: 'busybox', config: { StopSignal: 'quit' } }]))).toThrow(/StopSignal/);
    expect(() => loadRecipes(join(root, 'missing.json'))).toThrow(/cannot read/);
  });
});
