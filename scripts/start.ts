// npm start: builds (or takes from the cache) the guest images, then runs the Vite dev server and
// prints the URL. PORT overrides the default 5173.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createServer } from 'vite';
import { repoRoot } from './lib/cache.ts';
import { log } from './lib/progress.ts';

log('start', 'preparing guest images (the first run builds them; later runs take seconds)');
const prep = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts', 'prepare.ts')], { stdio: 'inherit', cwd: repoRoot });
if (prep.status !== 0) {
  log('start', `preparing the guest images failed (exit ${prep.status ?? prep.signal}); see the messages above`);
  process.exit(prep.status ?? 1);
}

const port = Number(process.env.PORT ?? 5173);
const server = await createServer({ root: repoRoot, configFile: join(repoRoot, 'vite.config.ts'), server: { port, host: process.env.HOST ?? 'localhost' } });
await server.listen();
const urls = server.resolvedUrls?.local ?? [`http://localhost:${port}/`];
log('start', `Whalebone is running: open ${urls[0]} (Ctrl+C stops it)`);
