// docker cp's flags and usage; its code (with the tar writer and reader) is in cp.ts.

import type { CommandSpec } from '../../util/flags.ts';
import { f } from './context.ts';

export const CP_SPECS: Record<string, CommandSpec> = {
  cp: {
    path: 'docker cp',
    usage: '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tdocker cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
    description: 'Copy files/folders between a container and the local filesystem',
    minArgs: 2,
    maxArgs: 2,
    flags: [
      f('archive', 'bool', 'Archive mode (copy all uid/gid information)', 'a'),
      f('follow-link', 'bool', 'Always follow symbol link in SRC_PATH', 'L'),
      f('quiet', 'bool', 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached', 'q'),
    ],
  },
};
