// npm run build:runtime: builds vm-images/dist/runtime/{whalebone,whalebone-run,whalebone.js,whalebone.qbc}.
import { buildRuntime } from './runtime-build/index.ts';
import { runMain, log, totalElapsed } from './lib/progress.ts';

runMain('runtime', async () => {
  await buildRuntime();
  log('runtime', `done in ${totalElapsed()}`);
});
