// The fast restore path skips v86's clearing of all guest RAM, relying on a never-run emulator
// having written only its first MiB (the firmware). This pins that fact for the v86 in use.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIRMWARE_RAM_BYTES } from '../../src/vm/state-restore.ts';
import { distPath } from '../../src/vm/node.ts';
import { DIST_FILES } from '../../src/vm/assets.ts';
import { freshEmulator } from '../helpers/emulator.ts';

const MiB = 1024 * 1024;
const skip = existsSync(distPath(DIST_FILES.bios)) ? null : 'BIOS not built (npm run build:vm)';

describe.skipIf(skip !== null)(`restore into a fresh emulator${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('finds guest RAM above the first MiB untouched before the first run', async () => {
    const emu = await freshEmulator(64);
    try {
      const proxy = emu.v86?.cpu?.mem8 as unknown as { subarray(a: number, b?: number): Uint8Array } | undefined;
      expect(proxy).toBeDefined();
      const ram = proxy!.subarray(0);
      expect(ram.length).toBe(64 * MiB);
      // the firmware is there...
      expect(ram.subarray(0, FIRMWARE_RAM_BYTES).some((b) => b !== 0)).toBe(true);
      // ...and nothing else
      const words = new Int32Array(ram.buffer, ram.byteOffset + FIRMWARE_RAM_BYTES, (ram.length - FIRMWARE_RAM_BYTES) / 4);
      expect(words.findIndex((w) => w !== 0)).toBe(-1);
    } finally {
      await emu.destroy();
    }
  });
});
