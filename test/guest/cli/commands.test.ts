import { describe, expect, it } from 'vitest';
import { COMMAND_MODULES, type CommandModule } from '../../../src/guest/cli/commands/index.ts';

describe('the docker command table', () => {
  it('maps each command to the module that has it: every command of every module, none twice', async () => {
    const byModule = new Map<CommandModule, string[]>();
    for (const [name, load] of Object.entries(COMMAND_MODULES)) byModule.set(load, [...(byModule.get(load) ?? []), name]);
    expect(byModule.size).toBeGreaterThan(5);
    for (const [load, names] of byModule) {
      const table = await load();
      expect(Object.keys(table).sort()).toEqual([...names].sort());
      for (const name of names) expect(table[name]!.spec.path, name).toBe(`docker ${name}`);
    }
  });

  it('keeps docker ps apart from the code of run, exec and attach', async () => {
    const ps = await COMMAND_MODULES['ps']!();
    expect(Object.keys(ps)).toEqual(['ps']);
    expect(COMMAND_MODULES['ps']).not.toBe(COMMAND_MODULES['run']);
  });
});
