// docker volume create/ls/rm/inspect/prune (moby's cli/command/volume).

import { humanSize } from '../../util/humanize.ts';
import { inspectJson, renderTemplate } from '../format.ts';
import { f, eachContainer, confirm, type CommandTable } from './context.ts';

export const volumeCommands: CommandTable = {
  'volume create': {
    spec: { path: 'docker volume create', usage: '[OPTIONS] [VOLUME]', description: 'Create a volume', maxArgs: 1, flags: [f('label', 'list', 'Set metadata for a volume'), f('name', 'string', 'Specify volume name')] },
    run: (c, p) => {
      const v = c.client.call<{ Name: string }>('POST', '/volumes/create', { Name: p.args[0] ?? p.flags.string('name') });
      c.out(`${v.Name}\n`);
      return 0;
    },
  },
  'volume ls': {
    spec: { path: 'docker volume ls', usage: '[OPTIONS]', description: 'List volumes', maxArgs: 0, flags: [f('quiet', 'bool', 'Only display volume names', 'q'), f('format', 'string', 'Format output using a custom template')] },
    run: (c, p) => {
      const r = c.client.call<{ Volumes: { Name: string; Driver: string }[] }>('GET', '/volumes');
      if (p.flags.bool('quiet')) c.out(r.Volumes.map((v) => `${v.Name}\n`).join(''));
      else if (p.flags.string('format')) c.out(renderTemplate(p.flags.string('format'), r.Volumes));
      else c.out(['DRIVER    VOLUME NAME', ...r.Volumes.map((v) => `${v.Driver.padEnd(10)}${v.Name}`)].join('\n') + '\n');
      return 0;
    },
  },
  'volume rm': {
    spec: { path: 'docker volume rm', usage: '[OPTIONS] VOLUME [VOLUME...]', description: 'Remove one or more volumes', minArgs: 1, flags: [f('force', 'bool', 'Force the removal of one or more volumes', 'f')] },
    run: (c, p) => eachContainer(c, p, (n) => c.client.call('DELETE', `/volumes/${n}?force=${p.flags.bool('force') ? 1 : 0}`)),
  },
  'volume inspect': {
    spec: { path: 'docker volume inspect', usage: '[OPTIONS] VOLUME [VOLUME...]', description: 'Display detailed information on one or more volumes', minArgs: 1, flags: [f('format', 'string', 'Format output using a custom template', 'f')] },
    run: (c, p) => {
      const items = p.args.map((n) => c.client.call('GET', `/volumes/${encodeURIComponent(n)}`));
      c.out(p.flags.string('format') ? renderTemplate(p.flags.string('format'), items) : inspectJson(items));
      return 0;
    },
  },
  'volume prune': {
    spec: { path: 'docker volume prune', usage: '[OPTIONS]', description: 'Remove unused local volumes', maxArgs: 0, flags: [f('all', 'bool', 'Remove all unused volumes, not just anonymous ones', 'a'), f('force', 'bool', 'Do not prompt for confirmation', 'f')] },
    run: (c, p) => {
      if (!p.flags.bool('force') && !confirm(c, 'WARNING! This will remove anonymous local volumes not used by at least one container.\n')) return 0;
      const vs = c.client.call<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }>('POST', `/volumes/prune${p.flags.bool('all') ? `?filters=${encodeURIComponent('{"all":["true"]}')}` : ''}`);
      if (vs.VolumesDeleted?.length) c.out(`Deleted Volumes:\n${vs.VolumesDeleted.join('\n')}\n\n`);
      c.out(`Total reclaimed space: ${humanSize(vs.SpaceReclaimed)}\n`);
      return 0;
    },
  },
};
