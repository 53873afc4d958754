// Which module holds each docker command. A command's module, and what it imports, is read only
// when that command runs: each module is QuickJS bytecode the CLI reads at start-up, so `docker ps`
// reads ps.ts and the table formatter, not the code of run, build or the network commands. A new
// command group is one module in this folder plus one line here (test/guest/cli/commands.test.ts
// checks that each line names exactly the commands its module has).

import type { CommandTable } from './context.ts';

export type CommandModule = () => Promise<CommandTable>;

function group(names: readonly string[], load: CommandModule): Record<string, CommandModule> {
  return Object.fromEntries(names.map((n) => [n, load]));
}

export const COMMAND_MODULES: Record<string, CommandModule> = {
  ...group(['ps'], async () => (await import('./ps.ts')).psCommands),
  ...group(
    ['run', 'create', 'start', 'attach', 'exec', 'rename', 'top', 'stats', 'stop', 'restart', 'kill', 'rm', 'wait', 'logs', 'port', 'container prune'],
    async () => (await import('./container.ts')).containerCommands,
  ),
  ...group(['pull', 'images', 'history', 'rmi', 'tag', 'image prune'], async () => (await import('./image.ts')).imageCommands),
  ...group(['volume create', 'volume ls', 'volume rm', 'volume inspect', 'volume prune'], async () => (await import('./volume.ts')).volumeCommands),
  ...group(
    ['network create', 'network ls', 'network inspect', 'network rm', 'network connect', 'network disconnect', 'network prune'],
    async () => (await import('./network.ts')).networkCommands,
  ),
  ...group(['version', 'info', 'inspect', 'container inspect', 'image inspect', 'system df', 'system prune'], async () => (await import('./system.ts')).systemCommands),
  ...group(['events'], async () => (await import('./events.ts')).eventCommands),
  ...group(['build', 'builder prune'], async () => (await import('./build.ts')).buildCommands),
  ...group(['commit'], async () => (await import('./commit.ts')).commitCommands),
  ...group(['save', 'load'], async () => (await import('./archive.ts')).archiveCommands),
  ...group(['cp'], async () => (await import('./cp.ts')).cpCommands),
};
