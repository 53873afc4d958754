// Compose benchmarks in the guest (restored from the boot snapshot, images pulled first), medians
// with run counts, beside baselines measured in the same run: `docker compose up -d` of a
// project against `docker run -d` of the same containers one by one, `docker compose down`
// against `docker rm -f` of them, `docker compose config` and `version` against `docker version`.
// BENCH_GUEST_RUNS sets the run count. BENCH_COMPOSE_FILE=<host file> benchmarks that file
// instead of the two-service busybox project (its images must be in the offline registry), with
// BENCH_COMPOSE_WAIT=<guest shell command> run after each up until it succeeds (e.g. a wget of a
// published port), so up is timed until the stack answers.
import { readFileSync } from 'node:fs';
import { log, runMain } from './lib/progress.ts';
import { median } from './lib/stats.ts';
import { createNodeVm, missingBootFile } from '../src/vm/node.ts';
import type { VmCore } from '../src/vm/core.ts';

const RUNS = Number(process.env['BENCH_GUEST_RUNS'] ?? 5);
const FILE = process.env['BENCH_COMPOSE_FILE'];
const WAIT = process.env['BENCH_COMPOSE_WAIT'];

const DEFAULT_PROJECT = `services:
  web:
    image: busybox
    command: ["httpd", "-f", "-p", "8080"]
    stop_signal: SIGKILL
  client:
    image: busybox
    depends_on: [web]
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
`;

async function guestSh(vm: VmCore, cmd: string, timeoutMs = 300_000): Promise<string> {
  const r = await vm.exec(cmd, { timeoutMs });
  if (r.exitCode !== 0) throw new Error(`guest: \`${cmd}\` exited ${r.exitCode}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** Wall time of cmd inside the guest (/proc/uptime around it, 10 ms steps), after `before`. */
async function guestTime(vm: VmCore, cmd: string, before = ''): Promise<number> {
  if (before) await guestSh(vm, `${before} >/dev/null 2>&1; true`);
  const out = await guestSh(vm, `cd /root/bench && read a _ </proc/uptime; { ${cmd}; } >/dev/null 2>&1 || { echo "failed: ${cmd.replace(/"/g, '\\"')}" >&2; exit 1; }; read b _ </proc/uptime; echo "$a $b"`);
  const [a, b] = out.trim().split(' ').map(Number) as [number, number];
  return (b - a) * 1000;
}

runMain('bench:compose', async () => {
  const missing = missingBootFile();
  if (missing) throw new Error(`${missing} is missing: run npm run build:vm`);
  const text = FILE ? readFileSync(FILE, 'utf8') : DEFAULT_PROJECT;
  const vm = createNodeVm({ log: (m) => log('vm', m) });
  try {
    await vm.boot();
    await guestSh(vm, `mkdir -p /root/bench && cat > /root/bench/compose.yaml <<'WB_EOF'\n${text}WB_EOF`);
    const images = (await guestSh(vm, 'cd /root/bench && docker compose config --images')).trim().split('\n');
    const services = (await guestSh(vm, 'cd /root/bench && docker compose config --services')).trim().split('\n');
    // warm: pull, and one up/down so the binary and the layers are paged in
    await guestSh(vm, `for i in ${images.join(' ')}; do docker pull -q $i; done; cd /root/bench && docker compose up -d && docker compose down`);
    const waitFor = WAIT ? ` && until ${WAIT}; do sleep 0.2; done` : '';
    // the baseline: the same images started one by one with the plain CLI
    const runAll = images.map((img, i) => `docker run -d --name base-${i} ${img} ${FILE ? '' : i === 0 ? 'httpd -f -p 8080' : 'sleep 3600'}`).join(' && ');
    const rmAll = `docker rm -f ${images.map((_, i) => `base-${i}`).join(' ')}`;
    const figures: { name: string; cmd: string; before?: string }[] = [
      { name: 'docker version (baseline)', cmd: 'docker version' },
      { name: 'docker compose version', cmd: 'docker compose version' },
      { name: 'docker compose config', cmd: 'docker compose config' },
      { name: `docker run -d of the ${images.length} images one by one (baseline)`, cmd: runAll, before: rmAll },
      { name: `docker rm -f of them (baseline)`, cmd: rmAll, before: `${rmAll}; ${runAll}` },
      { name: `docker compose up -d (${services.length} services, from nothing${WAIT ? ', until the wait command succeeds' : ''})`, cmd: `docker compose up -d${waitFor}`, before: `${rmAll}; cd /root/bench && docker compose down` },
      { name: 'docker compose up -d again (no change)', cmd: 'docker compose up -d', before: 'cd /root/bench && docker compose up -d' },
      { name: 'docker compose ps', cmd: 'docker compose ps' },
      { name: 'docker compose down', cmd: 'docker compose down', before: 'cd /root/bench && docker compose up -d' },
    ];
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    log('bench:compose', `guest wall times (they grow with the host's load; load now ${load}), ${RUNS} runs each`);
    for (const f of figures) {
      const xs: number[] = [];
      for (let i = 0; i < RUNS; i++) xs.push(await guestTime(vm, f.cmd, f.before));
      log('bench:compose', `${f.name}: median ${median(xs).toFixed(0)} ms [${xs.map((x) => x.toFixed(0)).join(' ')}]`);
    }
  } finally {
    await vm.destroy();
  }
});
