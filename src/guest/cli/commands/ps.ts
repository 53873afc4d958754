// docker ps, in a module of its own: the command learners run most between the others, it loads
// only the table formatter, not the code of run, exec or attach (see commands/index.ts).

import { PS_CONTEXT, PS_HEADERS, psRow, psTable, renderTemplate, type ContainerSummary } from '../format.ts';
import { f, parseSummary, type CommandTable } from './context.ts';

export const psCommands: CommandTable = {
  ps: {
    spec: { path: 'docker ps', usage: '[OPTIONS]', description: 'List containers', maxArgs: 0, flags: [f('all', 'bool', 'Show all containers (default shows just running)', 'a'), f('quiet', 'bool', 'Only display container IDs', 'q'), f('no-trunc', 'bool', "Don't truncate output"), f('filter', 'list', 'Filter output based on conditions provided', 'f'), f('format', 'string', 'Format output using a custom template'), f('last', 'int', 'Show n last created containers (includes all states)', 'n', { default: -1 }), f('latest', 'bool', 'Show the latest created container (includes all states)', 'l'), f('size', 'bool', 'Display total file sizes', 's')] },
    run: (c, p) => {
      const filters: Record<string, string[]> = {};
      for (const fl of p.flags.list('filter')) {
        const i = fl.indexOf('=');
        (filters[fl.slice(0, i)] ??= []).push(fl.slice(i + 1));
      }
      const all = p.flags.bool('all') || p.flags.int('last') > 0 || p.flags.bool('latest');
      let list = parseSummary<ContainerSummary[]>(c, `/containers/json?all=${all ? 1 : 0}${Object.keys(filters).length ? `&filters=${encodeURIComponent(JSON.stringify(filters))}` : ''}`);
      if (p.flags.bool('latest')) list = list.slice(0, 1);
      if (p.flags.int('last') > 0) list = list.slice(0, p.flags.int('last'));
      const now = Date.now();
      const noTrunc = p.flags.bool('no-trunc');
      if (p.flags.bool('quiet')) c.out(list.map((x) => `${noTrunc ? x.Id : x.Id.slice(0, 12)}\n`).join(''));
      else if (p.flags.string('format')) c.out(renderTemplate(p.flags.string('format'), list.map((x) => psRow(x, now, noTrunc)), (k) => PS_HEADERS[k] ?? k.toUpperCase(), PS_CONTEXT));
      else c.out(psTable(list, now, noTrunc));
      return 0;
    },
  },
};
