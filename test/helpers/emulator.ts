// A v86 emulator made from the built BIOS and never run: what the fast restore path restores into.
import { V86 } from 'v86';
import { VGA_MEMORY } from '../../src/vm/core.ts';
import { nodeAssets } from '../../src/vm/node.ts';
import type { V86Constructor, V86Emulator } from '../../src/vm/v86-types.ts';

const MiB = 1024 * 1024;

/** extra: more v86 options (the devices a saved state expects, for one). */
export async function freshEmulator(memoryMiB: number, extra: Record<string, unknown> = {}): Promise<V86Emulator> {
  const assets = nodeAssets();
  const [wasm, { bios, vgaBios }] = await Promise.all([assets.wasm(), assets.bios()]);
  const module = await WebAssembly.compile(wasm);
  const emu: V86Emulator = new (V86 as unknown as V86Constructor)({
    wasm_fn: async (env: WebAssembly.Imports) => (await WebAssembly.instantiate(module, env)).exports,
    memory_size: memoryMiB * MiB,
    vga_memory_size: VGA_MEMORY,
    bios: { buffer: bios },
    vga_bios: { buffer: vgaBios },
    autostart: false,
    disable_keyboard: true,
    disable_mouse: true,
    disable_speaker: true,
    ...extra,
  } as never);
  await new Promise<void>((resolve) => emu.add_listener('emulator-loaded', resolve as never));
  return emu;
}
