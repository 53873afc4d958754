// The docker command table: every command group's commands by name. A new group (build,
// compose, network...) is one module in this folder plus one line here.

import { lazyCommands, type CommandTable } from './context.ts';
import { containerCommands } from './container.ts';
import { imageCommands } from './image.ts';
import { volumeCommands } from './volume.ts';
import { networkCommands } from './network.ts';
import { systemCommands } from './system.ts';
import { eventCommands } from './events.ts';
import { BUILD_SPECS } from './build-spec.ts';
import { commitCommands } from './commit.ts';
import { archiveCommands } from './archive.ts';
import { CP_SPECS } from './cp-spec.ts';

export const COMMANDS: CommandTable = {
  ...containerCommands,
  ...imageCommands,
  ...volumeCommands,
  ...networkCommands,
  ...systemCommands,
  ...eventCommands,
  // build and cp carry the context tar writer, the progress renderer and the tar reader: their
  // code loads only when they run
  ...lazyCommands(BUILD_SPECS, async () => (await import('./build.ts')).buildCommands),
  ...commitCommands,
  ...archiveCommands,
  ...lazyCommands(CP_SPECS, async () => (await import('./cp.ts')).cpCommands),
};
