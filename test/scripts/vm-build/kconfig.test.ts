import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeDropped, droppedOptions, parseKconfig } from '../../../scripts/vm-build/kconfig.ts';
import { repoRoot } from '../../../scripts/lib/cache.ts';

describe('kconfig fragments', () => {
  it('parses set, unset, comments and blank lines', () => {
    const opts = parseKconfig('# a comment\nCONFIG_A=y\n\n# CONFIG_B is not set\nCONFIG_C="x y"\nCONFIG_N=2\n');
    expect([...opts]).toEqual([
      ['CONFIG_A', 'y'],
      ['CONFIG_B', null],
      ['CONFIG_C', '"x y"'],
      ['CONFIG_N', '2'],
    ]);
  });

  it('rejects lines that are not kconfig', () => {
    expect(() => parseKconfig('CONFIG_A=y\nA=y\n', 'frag')).toThrow('frag:2: not a kconfig line: A=y');
  });

  it('names options that Kconfig dropped or changed', () => {
    const frag = parseKconfig('CONFIG_A=y\nCONFIG_B=y\n# CONFIG_C is not set\nCONFIG_D=4\n# CONFIG_E is not set\n');
    const final = parseKconfig('CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=y\nCONFIG_D=2\n');
    const dropped = droppedOptions(frag, final);
    expect(dropped.map(describeDropped)).toEqual([
      'CONFIG_B: wanted y, got not set',
      'CONFIG_C: wanted not set, got y',
      'CONFIG_D: wanted 4, got 2',
    ]);
  });

  it('parses the project fragment, which builds everything in', () => {
    const frag = parseKconfig(readFileSync(join(repoRoot, 'vm-images', 'kernel.config'), 'utf8'));
    expect(frag.get('CONFIG_MODULES')).toBeNull();
    for (const [name, value] of frag) expect(value, name).not.toBe('m');
    for (const must of ['CONFIG_OVERLAY_FS', 'CONFIG_9P_FS', 'CONFIG_VETH', 'CONFIG_BRIDGE', 'CONFIG_COMPAT_32BIT_TIME'])
      expect(frag.get(must), must).toBe('y');
  });
});
