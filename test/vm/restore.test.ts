// The fast restore path skips v86's clearing of all guest RAM, relying on a never-run emulator
// having written only its first MiB (the firmware). This pins that fact for the v86 in use.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { V86 } from 'v86';
import { VGA_MEMORY } from '../../src/vm/core.ts';
import { FIRMWARE_RAM_BYTES } from '../../src/vm/state-restore.ts';
import { nodeAssets, distPath } from '../../src/vm/node.ts';
import { DIST_FILES } from '../../src/vm/assets.ts';
import type { V86Constructor, V86Emulator } from '../../src/vm/v86-types.ts';

const MiB = 1024 * 1024;
const skip = existsSync(distPath(DIST_FILES.bios)) ? null : 'BIOS not built (npm run build:vm)';

describe.skipIf(skip !== null)(`restore into a fresh emulator${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('finds guest RAM above the first MiB untouched before the first run', async () => {
    const assets = nodeAssets();
    const [wasm, { bios, vgaBios }] = await Promise.all([assets.wasm(), assets.bios()]);
    const module = await WebAssembly.compile(wasm);
    const emu: V86Emulator = new (V86 as unknown as V86Constructor)({
      wasm_fn: async (env: WebAssembly.Imports) => (await WebAssembly.instantiate(module, env)).exports,
      memory_size: 64 * MiB,
      vga_memory_size: VGA_MEMORY,
      bios: { buffer: bios },
      vga_bios: { buffer: vgaBios },
      autostart: false,
      disable_keyboard: true,
      disable_mouse: true,
      disable_speaker: true,
    } as never);
    await new Promise<void>((resolve) => emu.add_listener('emulator-loaded', resolve as never));
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
