// npm run build:runtime: builds vm-images/dist/runtime/{whalebone,whalebone-run,whalebone.js,whalebone.qbc}.
// WHALEBONE_BUILD_STAMP=<text> makes the bytecode differ as an edit would (used by bench:runtime).
import { buildRuntime } from './runtime-build/index.ts';
import { runMain, log, totalElapsed } from './lib/progress.ts';

runMain('runtime', async () => {
  await buildRuntime({ stamp: process.env.WHALEBONE_BUILD_STAMP || undefined });
  log('runtime', `done in ${totalElapsed()}`);
});
