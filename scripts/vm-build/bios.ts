// Stage 3: BIOS images for v86 from Debian's seabios (the v86 npm package ships none).
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cached, cacheDir } from '../lib/cache.ts';
import { extractDeb, fetchDeb, readPins } from '../lib/apt.ts';
import { BuildError } from '../lib/progress.ts';

export interface BiosOutputs {
  dir: string;
  /** SeaBIOS for a 128 KiB ROM: v86's `bios`. */
  bios: string;
  /** The standard VGA option ROM: v86's `vga_bios`. */
  vgaBios: string;
}

export async function buildBios(scope: string): Promise<BiosOutputs> {
  const pin = readPins().debs.seabios;
  if (!pin) throw new BuildError('seabios is not pinned: run `npm run pin -- deb seabios`');
  const dir = await cached(scope, {
    name: 'bios',
    inputs: [JSON.stringify(pin), 'bios.bin + vgabios-stdvga.bin'],
    build: async (out) => {
      const tree = join(cacheDir('work'), `seabios-${process.pid}`);
      await extractDeb(await fetchDeb(scope, 'seabios'), tree);
      copyFileSync(join(tree, 'usr/share/seabios/bios.bin'), join(out, 'bios.bin'));
      copyFileSync(join(tree, 'usr/share/seabios/vgabios-stdvga.bin'), join(out, 'vgabios.bin'));
      rmSync(tree, { recursive: true, force: true });
    },
  });
  return { dir, bios: join(dir, 'bios.bin'), vgaBios: join(dir, 'vgabios.bin') };
}
