// npm run build:runtime: builds vm-images/dist/runtime/{whalebone,whalebone-run,whalebone.js,whalebone.qbc}.
// WHALEBONE_BUILD_STAMP=<text> makes the bytecode differ as an edit would (used by bench:runtime).
//
// Trying a changed runtime in a running guest without relinking: copy whalebone-run and
// whalebone.qbc (or whalebone.js) onto the 9p share, then in the guest
//   /mnt/host/<dir>/whalebone-run /mnt/host/<dir>/whalebone.qbc docker ps
// (the role comes from the first argument, as with `whalebone docker ps`).
import { buildRuntime } from './runtime-build/index.ts';
import { runMain, log, totalElapsed } from './lib/progress.ts';

runMain('runtime', async () => {
  await buildRuntime({ stamp: process.env.WHALEBONE_BUILD_STAMP || undefined });
  log('runtime', `done in ${totalElapsed()}`);
});
