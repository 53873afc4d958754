// docker commit (moby's cli/command/container/commit): the container's changes as a new image.

import { parseRef } from '../../images/reference.ts';
import { f, CliError, type CommandTable } from './context.ts';

export const commitCommands: CommandTable = {
  commit: {
    spec: {
      path: 'docker commit',
      usage: '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
      description: "Create a new image from a container's changes",
      minArgs: 1,
      maxArgs: 2,
      flags: [
        f('author', 'string', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")', 'a'),
        f('message', 'string', 'Commit message', 'm'),
        f('change', 'list', 'Apply Dockerfile instruction to the created image', 'c'),
        f('pause', 'bool', 'Pause container during commit', 'p', { default: true }),
      ],
    },
    run: (c, p) => {
      const q = [`container=${encodeURIComponent(p.args[0]!)}`];
      const target = p.args[1];
      if (target) {
        let r;
        try {
          r = parseRef(target);
        } catch (e) {
          throw new CliError(`invalid reference format: ${(e as Error).message}`);
        }
        q.push(`repo=${encodeURIComponent(r.repo)}`, `tag=${encodeURIComponent(r.tag ?? 'latest')}`);
      }
      if (p.flags.string('message')) q.push(`comment=${encodeURIComponent(p.flags.string('message'))}`);
      if (p.flags.string('author')) q.push(`author=${encodeURIComponent(p.flags.string('author'))}`);
      for (const ch of p.flags.list('change')) q.push(`changes=${encodeURIComponent(ch)}`);
      const r = c.client.call<{ Id: string }>('POST', `/commit?${q.join('&')}`);
      c.out(`${r.Id}\n`);
      return 0;
    },
  },
};
