// npm run build:runtime: builds vm-images/dist/runtime/{whalebone,whalebone-run,js/}. The bundle is
// split per role (js/main.js plus one module per dynamic import and shared chunks); the binary
// embeds each module's bytecode and reads a module only when it is first imported.
// WHALEBONE_BUILD_STAMP=<text> makes the bytecode differ as an edit would (used by bench:runtime).
//
// Trying a changed runtime in a running guest without relinking: copy whalebone-run and the js/
// folder onto the 9p share, then in the guest
//   /mnt/host/<dir>/whalebone-run /mnt/host/<dir>/js/main.js docker ps
// (the role comes from the first argument, as with `whalebone docker ps`).
import { buildRuntime } from './runtime-build/index.ts';
import { runMain, log, totalElapsed } from './lib/progress.ts';

runMain('runtime', async () => {
  await buildRuntime({ stamp: process.env.WHALEBONE_BUILD_STAMP || undefined });
  log('runtime', `done in ${totalElapsed()}`);
});
