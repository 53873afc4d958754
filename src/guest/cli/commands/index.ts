// The docker command table: every command group's commands by name. A new group (build,
// compose, network...) is one module in this folder plus one line here.

import type { CommandTable } from './context.ts';
import { containerCommands } from './container.ts';
import { imageCommands } from './image.ts';
import { volumeCommands } from './volume.ts';
import { networkCommands } from './network.ts';
import { systemCommands } from './system.ts';
import { eventCommands } from './events.ts';
import { buildCommands } from './build.ts';
import { commitCommands } from './commit.ts';
import { archiveCommands } from './archive.ts';
import { cpCommands } from './cp.ts';

export const COMMANDS: CommandTable = {
  ...containerCommands,
  ...imageCommands,
  ...volumeCommands,
  ...networkCommands,
  ...systemCommands,
  ...eventCommands,
  ...buildCommands,
  ...commitCommands,
  ...archiveCommands,
  ...cpCommands,
};
