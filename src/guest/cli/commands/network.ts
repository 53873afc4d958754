// docker network ls (moby's cli/command/network).

import { table } from '../../util/tabwriter.ts';
import { renderTemplate } from '../format.ts';
import { f, type CommandTable } from './context.ts';

export const networkCommands: CommandTable = {
  'network ls': {
    spec: { path: 'docker network ls', usage: '[OPTIONS]', description: 'List networks', maxArgs: 0, flags: [f('quiet', 'bool', 'Only display network IDs', 'q'), f('no-trunc', 'bool', 'Do not truncate the output'), f('format', 'string', 'Format output using a custom template')] },
    run: (c, p) => {
      const nets = c.client.call<{ Id: string; Name: string; Driver: string; Scope: string }[]>('GET', '/networks');
      const id = (n: { Id: string }): string => (p.flags.bool('no-trunc') ? n.Id : n.Id.slice(0, 12));
      if (p.flags.bool('quiet')) c.out(nets.map((n) => `${id(n)}\n`).join(''));
      else if (p.flags.string('format')) c.out(renderTemplate(p.flags.string('format'), nets.map((n) => ({ ...n, ID: id(n) }))));
      else c.out(table([['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'], ...nets.map((n) => [id(n), n.Name, n.Driver, n.Scope])]));
      return 0;
    },
  },
};
