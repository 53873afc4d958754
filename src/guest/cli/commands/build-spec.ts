// docker build's and docker builder prune's flags and usage; their code is in build.ts.

import type { CommandSpec } from '../../util/flags.ts';
import { f } from './context.ts';

const BUILD_FLAGS = [
  f('tag', 'list', 'Name and optionally a tag in the "name:tag" format', 't'),
  f('file', 'string', 'Name of the Dockerfile (Default is "PATH/Dockerfile")', 'f'),
  f('build-arg', 'list', 'Set build-time variables'),
  f('no-cache', 'bool', 'Do not use cache when building the image'),
  f('pull', 'bool', 'Always attempt to pull a newer version of the image'),
  f('quiet', 'bool', 'Suppress the build output and print image ID on success', 'q'),
  f('target', 'string', 'Set the target build stage to build'),
  f('label', 'list', 'Set metadata for an image'),
  f('network', 'string', 'Set the networking mode for the RUN instructions during build', undefined, { default: 'default' }),
  f('progress', 'string', 'Set type of progress output ("auto", "quiet", "plain", "tty", "rawjson"). Use plain to show container output', undefined, { default: 'auto' }),
  f('iidfile', 'string', 'Write the image ID to the file'),
  f('rm', 'bool', 'Remove intermediate containers after a successful build', undefined, { default: true }),
  f('force-rm', 'bool', 'Always remove intermediate containers'),
];

export const BUILD_SPECS: Record<string, CommandSpec> = {
  build: { path: 'docker build', usage: '[OPTIONS] PATH | URL | -', description: 'Build an image from a Dockerfile', minArgs: 1, maxArgs: 1, flags: BUILD_FLAGS },
  'builder prune': { path: 'docker builder prune', usage: '[OPTIONS]', description: 'Remove build cache', maxArgs: 0, flags: [f('all', 'bool', 'Remove all unused build cache, not just dangling ones', 'a'), f('force', 'bool', 'Do not prompt for confirmation', 'f')] },
};
