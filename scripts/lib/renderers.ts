// Chromium's renderer processes of one browser profile (its --user-data-dir), read from /proc:
// bench:app and measure-tab-memory both measure them.
import { readdirSync, readFileSync } from 'node:fs';

export interface RendererProcess {
  pid: number;
  cmdline: string;
}

/** The profile's renderers running now (a process that ends meanwhile is left out). */
export function profileRenderers(userDataDir: string): RendererProcess[] {
  const out: RendererProcess[] = [];
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const cmdline = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmdline.includes('--type=renderer') && cmdline.includes(userDataDir)) out.push({ pid: Number(d), cmdline });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}
