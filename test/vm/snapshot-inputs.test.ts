import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIST_FILES } from '../../src/vm/assets.ts';
import { snapshotInputsHash } from '../../src/vm/node.ts';

// The hash is kept per process (a restore no longer reads and hashes 7 MB each time): it must
// still tell a snapshot stale as soon as one of its inputs changes on disk.
describe('snapshotInputsHash', () => {
  const dist = mkdtempSync(join(tmpdir(), 'wb-inputs-'));
  afterAll(() => rmSync(dist, { recursive: true, force: true }));
  const files = [DIST_FILES.bzImage, DIST_FILES.initrd, DIST_FILES.bios, DIST_FILES.vgaBios];
  for (const f of files) writeFileSync(join(dist, f), `${f} v1`);

  it('gives the same hash for unchanged inputs and a new one once a file changes, even to the same size', () => {
    const first = snapshotInputsHash(256, dist);
    expect(snapshotInputsHash(256, dist)).toBe(first);
    expect(snapshotInputsHash(128, dist)).not.toBe(first);
    // same length, other bytes, written anew: the size alone would not tell
    const copy = join(dist, 'initrd.new');
    writeFileSync(copy, `${DIST_FILES.initrd} v2`);
    cpSync(copy, join(dist, DIST_FILES.initrd));
    const second = snapshotInputsHash(256, dist);
    expect(second).not.toBe(first);
    writeFileSync(join(dist, DIST_FILES.initrd), `${DIST_FILES.initrd} v1`);
    expect(snapshotInputsHash(256, dist)).toBe(first);
  });
});
