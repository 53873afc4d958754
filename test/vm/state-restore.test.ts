// The fast restore (src/vm/state-restore.ts) against v86's own restore_state on the real boot
// snapshot, and the decompressed copy the Node loader keeps of a state and restores next time.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST_FILES, RAW_STATES_DIR, rawStateTag, type SnapshotMeta } from '../../src/vm/assets.ts';
import { createNodeVm, distPath, nodeAssets, openRawState } from '../../src/vm/node.ts';
import { copyPages, isStateFile, isWholeRawState, isZstd, restoreIntoFresh, type StateBytes } from '../../src/vm/state-restore.ts';
import type { V86Emulator } from '../../src/vm/v86-types.ts';
import { freshEmulator } from '../helpers/emulator.ts';
import { guestSuite, vmSkipReason } from '../helpers/vm.ts';

const MiB = 1024 * 1024;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('copyPages', () => {
  it('puts each saved page where the bitmap says, runs and single pages alike', () => {
    const pages = 40;
    const saved = [0, 1, 2, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 23, 31, 32, 39];
    const bitmap = new Uint8Array(pages / 8);
    for (const p of saved) bitmap[p >> 3]! |= 1 << (p & 7);
    const packed = new Uint8Array(saved.length << 12);
    saved.forEach((p, i) => packed.fill(p + 1, i << 12, (i + 1) << 12));
    const ram = new Uint8Array(pages << 12);
    copyPages(ram, bitmap, packed, pages);
    for (let p = 0; p < pages; p++) {
      const page = ram.subarray(p << 12, (p + 1) << 12);
      const want = saved.includes(p) ? p + 1 : 0;
      expect(page.every((b) => b === want), `page ${p}`).toBe(true);
    }
  });
});

function guestRam(emu: V86Emulator): Uint8Array {
  return (emu.v86?.cpu?.mem8 as unknown as { subarray(a: number): Uint8Array }).subarray(0);
}

function readState(file: string): ArrayBuffer {
  const b = readFileSync(file);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

describe.skipIf(vmSkipReason())(guestSuite('restoring a saved state'), () => {
  const meta = () => JSON.parse(readFileSync(distPath(DIST_FILES.snapshotMeta), 'utf8')) as SnapshotMeta;

  it("leaves guest RAM as v86's own restore_state does, and hands out the state decompressed, byte for byte as zstd -d", async () => {
    const { memoryMiB } = meta();
    const file = distPath(DIST_FILES.snapshot);
    const devices = { filesystem: {}, net_device: { type: 'virtio' } };
    const stock = await freshEmulator(memoryMiB, devices);
    const ours = await freshEmulator(memoryMiB, devices);
    const fromFile = await freshEmulator(memoryMiB, devices);
    const dir = mkdtempSync(join(tmpdir(), 'wb-raw-'));
    try {
      await stock.restore_state(readState(file));
      let raw: ArrayBuffer | null = null;
      await restoreIntoFresh(ours, readState(file), { onRaw: (r) => (raw = r) });
      expect(sha(guestRam(ours))).toBe(sha(guestRam(stock)));
      expect(raw).not.toBeNull();
      const zstd = zstdDecompressed();
      expect(raw!.byteLength).toBe(zstd.length);
      expect(sha(new Uint8Array(raw!))).toBe(sha(zstd));
      expect(isWholeRawState(raw!)).toBe(true);
      expect(isZstd(raw!)).toBe(false);

      // The same state left in a file: guest RAM read from it straight into place, and the file let go.
      writeFileSync(join(dir, 'raw'), zstd);
      const opened = openRawState(join(dir, 'raw'), zstd.length);
      expect(opened).not.toBeNull();
      let closed = 0;
      const counted = { byteLength: opened!.byteLength, read: opened!.read.bind(opened), close: () => (closed++, opened!.close()) };
      await restoreIntoFresh(fromFile, counted);
      expect(sha(guestRam(fromFile))).toBe(sha(guestRam(stock)));
      expect(closed).toBe(1);
    } finally {
      await stock.destroy();
      await ours.destroy();
      await fromFile.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a state file cut short or of another format is refused, and closed', async () => {
    const { memoryMiB } = meta();
    const zstd = zstdDecompressed();
    const emu = await freshEmulator(memoryMiB, { filesystem: {}, net_device: { type: 'virtio' } });
    try {
      for (const [what, bytes] of [['cut short', zstd.subarray(0, zstd.length - 4096)], ['not a state', Buffer.alloc(4096, 7)]] as const) {
        let closed = false;
        const file = { byteLength: zstd.length, read: (into: Uint8Array, at: number) => { if (at + into.length > bytes.length) throw new Error('ends early'); into.set(bytes.subarray(at, at + into.length)); }, close: () => (closed = true) };
        await expect(restoreIntoFresh(emu, file), what).rejects.toThrow(/ends early|not a whole v86 state/);
        expect(closed, what).toBe(true);
      }
    } finally {
      await emu.destroy();
    }
  }, 120_000);

  it('the Node loader keeps that copy after a boot, restores it next time, and ignores a broken or stale one', async () => {
    // A dist of our own (links to the real files), so the copies it keeps are this test's.
    const dist = mkdtempSync(join(tmpdir(), 'wb-dist-'));
    try {
      for (const name of readdirSync(distPath())) if (name !== RAW_STATES_DIR) symlinkSync(distPath(name), join(dist, name));
      const kept = join(dist, RAW_STATES_DIR, `${DIST_FILES.snapshot}.${rawStateTag(meta())}`);
      const first = await nodeAssets(dist).snapshot(meta().memoryMiB);
      expect('state' in first && zstdIn(first.state) && typeof first.keepRaw).toBe('function');

      const vm = createNodeVm({ dist });
      try {
        await vm.boot();
        expect(vm.lastBoot?.phases?.raw).toBe(false);
      } finally {
        await vm.destroy();
      }
      await expect.poll(() => existsSync(kept), { timeout: 10_000 }).toBe(true);
      const again = await nodeAssets(dist).snapshot(meta().memoryMiB);
      // Left in its file for the restore to read (closed here: this test restores from another loader).
      expect('state' in again && isStateFile(again.state) && again.state.byteLength === meta().rawBytes && again.keepRaw).toBe(undefined);
      if ('state' in again && isStateFile(again.state)) again.state.close();

      const vm2 = createNodeVm({ dist });
      try {
        await vm2.boot();
        expect(vm2.lastBoot?.phases).toMatchObject({ raw: true, inPlace: true });
        expect((await vm2.exec('echo restored-$((6*7))')).stdout).toBe('restored-42\n');
      } finally {
        await vm2.destroy();
      }

      // Cut short (a full disk, a killed writer): the compressed state again, and a new copy offered.
      truncateSync(kept, 1000);
      const broken = await nodeAssets(dist).snapshot(meta().memoryMiB);
      expect('state' in broken && zstdIn(broken.state) && typeof broken.keepRaw).toBe('function');
      // Made from another build of the state: not this one's name, so never read.
      rmSync(kept);
      writeFileSync(join(dist, RAW_STATES_DIR, `${DIST_FILES.snapshot}.${rawStateTag({ ...meta(), createdAt: '2000-01-01T00:00:00.000Z' })}`), zstdDecompressed());
      const stale = await nodeAssets(dist).snapshot(meta().memoryMiB);
      expect('state' in stale && zstdIn(stale.state)).toBe(true);
    } finally {
      rmSync(dist, { recursive: true, force: true });
    }
  }, 180_000);
});

const zstdIn = (s: StateBytes) => !isStateFile(s) && isZstd(s);

function zstdDecompressed(): Buffer {
  return execFileSync('zstd', ['-dc', distPath(DIST_FILES.snapshot)], { maxBuffer: 512 * MiB });
}
