// `docker run -d nginx` until nginx serves and until it honours docker stop (issue #17), timed by
// the guest's clock. Docker's nginx image stops with SIGQUIT; nginx installs its handlers right
// before it forks its worker, and a SIGQUIT that comes earlier is dropped (a PID namespace's init
// ignores signals it has no handler for), so `docker stop` waits 10 s and kills: Exited (137).
//
// Each run is the tutorial's first run of nginx: `docker rmi` and a drop of the page cache, then
// `docker pull nginx` and at once `docker run -d`. The pull is lazy: the layers stay on the 9p
// share (mounted cache=none), and every page nginx maps is read from the host as it faults. The
// pull is timed too, so that work moved into it shows. Figures per run:
//   pull   `docker pull -q nginx`
//   http   `docker run -d --name web nginx` until busybox wget gets the page from 172.17.0.2
//   init   nginx's fork by runc until its worker's fork (handlers installed), from /proc stat
//   stop   the same again (rmi, drop, pull), then `docker run -d ...; docker stop web` right
//          after: the stop's time and the exit code
//   stop at 0.5 s  the same, but `docker stop` waits until 500 ms after `docker run -d` began (the
//          issue's target: by then nginx must handle SIGQUIT): the exit code
//   alone  the same again, then the image's layers mounted by hand (the lower dirs `docker image
//          inspect` reports, an upper dir on tmpfs) and nginx started there with chroot, no engine
//          at all, until wget gets the page from 127.0.0.1: nginx's own first start in the
//          emulator, the floor that no engine work can get under
// The first run after each restore is printed apart (the emulator has compiled none of the code
// yet), the medians are of the runs after it. A new pull reads nginx's files into new pages, so
// every run starts nginx from code the emulator has not compiled at those addresses.
//
// This build is compared with a baseline booted from another build's vm-images/dist
// (BENCH_AGAINST, e.g. a worktree's, or a copy kept before a change), one guest after the other
// per round (one VM at a time), so both columns share the host's load. Each guest reads the
// registry of its own dist (an image change is part of what is compared). Without BENCH_AGAINST
// only this build runs. BENCH_NGINX_RUNS (default 5) runs per guest, BENCH_NGINX_ROUNDS
// (default 1) rounds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { log, runMain } from './lib/progress.ts';
import { median } from './lib/stats.ts';
import { createNodeVm, distPath, missingBootFile } from '../src/vm/node.ts';
import { diskFolder } from '../src/vm/node-share.ts';
import { DIST_FILES } from '../src/vm/assets.ts';
import type { FolderSource } from '../src/vm/share.ts';
import type { VmCore } from '../src/vm/core.ts';

const RUNS = Number(process.env['BENCH_NGINX_RUNS'] ?? 5);
const ROUNDS = Number(process.env['BENCH_NGINX_ROUNDS'] ?? 1);
const SCOPE = 'bench:nginx';

interface Variant {
  label: string;
  dist?: string;
  registry: () => FolderSource;
}

const AGAINST = process.env['BENCH_AGAINST'];
const VARIANTS: Variant[] = [
  ...(AGAINST ? [{ label: `baseline (${AGAINST})`, dist: AGAINST, registry: () => diskFolder(join(AGAINST, DIST_FILES.registry), join(AGAINST, DIST_FILES.registryIndex)) }] : []),
  { label: 'this build', registry: () => diskFolder(distPath(DIST_FILES.registry), distPath(DIST_FILES.registryIndex)) },
];

// One run in the guest; prints "pull_ms http_ms init_ms majflt stop_ms exit_code exit_code_at_500 alone_ms". The wget loop
// pauses 50 ms between tries on a fifo (a shell built-in: no process) so it leaves the CPU to nginx.
const RUN = `
set -e
fresh() {
  docker rm -f web >/dev/null 2>&1 || true; docker rmi -f nginx >/dev/null 2>&1 || true
  sync; echo 3 >/proc/sys/vm/drop_caches
  p0=$(ms); docker pull -q nginx >/dev/null; p1=$(ms)
}
ms() { read u _ </proc/uptime; echo $(( \${u%.*}\${u#*.} * 10 )); }
rm -f /tmp/bench-fifo; mkfifo /tmp/bench-fifo; exec 3<>/tmp/bench-fifo
fresh
pull=$((p1 - p0))
a=$(ms)
docker run -d --name web nginx >/dev/null
n=0; until wget -qO /dev/null http://172.17.0.2/ 2>/dev/null; do n=$((n + 1)); [ $n -lt 600 ] || { echo "nginx never answered" >&2; exit 1; }; read -t 0.05 -u 3 x || true; done
b=$(ms)
[ "$(docker inspect -f '{{.NetworkSettings.IPAddress}}' web)" = 172.17.0.2 ] || { echo "the container is not 172.17.0.2" >&2; exit 1; }
m=$(docker inspect -f '{{.State.Pid}}' web); w=
for s in /proc/[0-9]*/stat; do read -r st <$s || continue; set -- \${st#*) }; [ "$2" = "$m" ] && { w=\${s%/stat}; w=\${w#/proc/}; }; done
read -r st </proc/$m/stat; set -- \${st#*) }; ms0=\${20}; flt=\${10}
read -r st </proc/$w/stat; set -- \${st#*) }; ws0=\${20}
fresh
docker run -d --name web nginx >/dev/null
c=$(ms)
docker stop web >/dev/null
d=$(ms)
e=$(docker inspect -f '{{.State.ExitCode}}' web)
fresh
s0=$(ms)
docker run -d --name web nginx >/dev/null
left=$((500 - ($(ms) - s0)))
[ $left -le 0 ] || read -t 0.$(printf %03d $left) -u 3 x || true
docker stop web >/dev/null
e5=$(docker inspect -f '{{.State.ExitCode}}' web)
fresh
lower=$(docker image inspect -f '{{.GraphDriver.Data.LowerDir}}' nginx)
r=/tmp/bench-alone; mkdir -p $r; mount -t tmpfs tmpfs $r; mkdir $r/u $r/w $r/m
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$r/u,workdir=$r/w" $r/m; mount --bind /dev $r/m/dev; mount -t proc proc $r/m/proc
g=$(ms)
# the image's access log is /dev/stdout: keep it out of the figures
chroot $r/m /usr/sbin/nginx >/dev/null
n=0; until wget -qO /dev/null http://127.0.0.1/ 2>/dev/null; do n=$((n + 1)); [ $n -lt 600 ] || { echo "nginx alone never answered" >&2; exit 1; }; read -t 0.05 -u 3 x || true; done
h=$(ms)
chroot $r/m /usr/sbin/nginx -s quit 2>/dev/null
# its worker may outlive the master's pid file, and keeps the layers busy until it is gone
while pidof nginx >/dev/null; do read -t 0.05 -u 3 x || true; done
umount $r/m/proc $r/m/dev $r/m $r
echo "$pull $((b - a)) $(( (ws0 - ms0) * 10 )) $flt $((d - c)) $e $e5 $((h - g))"
`;

interface Run {
  pullMs: number;
  httpMs: number;
  initMs: number;
  majflt: number;
  stopMs: number;
  exit: number;
  /** The exit code when docker stop came 500 ms after docker run -d began. */
  exitAt500: number;
  /** nginx started with chroot on the image's layers, no engine: exec until the first HTTP answer. */
  aloneMs: number;
}

async function oneRun(vm: VmCore): Promise<Run> {
  const r = await vm.exec(RUN, { timeoutMs: 300_000 });
  if (r.exitCode !== 0) throw new Error(`guest run failed (${r.exitCode}): ${r.stderr || r.stdout}`);
  const [pullMs, httpMs, initMs, majflt, stopMs, exit, exitAt500, aloneMs] = r.stdout.trim().split(/\s+/).map(Number) as [number, number, number, number, number, number, number, number];
  return { pullMs, httpMs, initMs, majflt, stopMs, exit, exitAt500, aloneMs };
}

const fmt = (runs: Run[], pick: (r: Run) => number) => `median ${median(runs.map(pick)).toFixed(0)} [${runs.map((r) => pick(r).toFixed(0)).join(' ')}]`;

runMain(SCOPE, async () => {
  const missing = missingBootFile();
  if (missing) throw new Error(`${missing} is missing (run npm run build:vm)`);
  if (!AGAINST) log(SCOPE, 'no BENCH_AGAINST: no baseline column (BENCH_AGAINST=/path/to/main/vm-images/dist)');
  const firsts: Record<string, Run[]> = {};
  const rest: Record<string, Run[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of VARIANTS) {
      const vm = createNodeVm({ shares: { registry: v.registry() }, ...(v.dist ? { dist: v.dist } : {}) });
      try {
        await vm.boot();
        if (vm.lastBoot?.mode !== 'snapshot') throw new Error(`${v.label}: the snapshot was not used: ${vm.lastBoot?.fallbackReason ?? ''}`);
        for (let i = 0; i <= RUNS; i++) {
          const r = await oneRun(vm);
          (i === 0 ? (firsts[v.label] ??= []) : (rest[v.label] ??= [])).push(r);
        }
      } finally {
        await vm.destroy();
      }
      log(SCOPE, `round ${round + 1}/${ROUNDS}, ${v.label} done (host load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`);
    }
  }
  log(SCOPE, 'guest clock, ms; each run: rmi, drop the page cache, pull, run (see the header)');
  for (const v of VARIANTS) {
    const f = firsts[v.label] ?? [];
    const r = rest[v.label] ?? [];
    log(SCOPE, `${v.label}: first run after restore: pull ${f.map((x) => x.pullMs).join(' ')}, run -> http ${f.map((x) => x.httpMs).join(' ')}, nginx init ${f.map((x) => x.initMs).join(' ')}, stop ${f.map((x) => `${x.stopMs} (exit ${x.exit})`).join(' ')}, stop at 0.5 s: exit ${f.map((x) => x.exitAt500).join(' ')}, nginx alone ${f.map((x) => x.aloneMs).join(' ')}`);
    log(SCOPE, `${v.label}: docker pull -q nginx: ${fmt(r, (x) => x.pullMs)}`);
    log(SCOPE, `${v.label}: run -d -> first HTTP answer: ${fmt(r, (x) => x.httpMs)} over ${r.length} runs`);
    log(SCOPE, `${v.label}: nginx alone (chroot on the image's layers, no engine) -> first HTTP answer: ${fmt(r, (x) => x.aloneMs)}; the engine's part of the row: median ${median(r.map((x) => x.httpMs - x.aloneMs)).toFixed(0)}`);
    log(SCOPE, `${v.label}: nginx fork -> worker forked (SIGQUIT handled): ${fmt(r, (x) => x.initMs)} (target <= 500: ${median(r.map((x) => x.initMs)) <= 500 ? 'met' : 'NOT met'}); master's major faults ${fmt(r, (x) => x.majflt)}`);
    log(SCOPE, `${v.label}: docker stop right after run -d: ${fmt(r, (x) => x.stopMs)}; exit codes [${r.map((x) => x.exit).join(' ')}] (Docker: 0)`);
    log(SCOPE, `${v.label}: docker stop 0.5 s after run -d began: exit codes [${r.map((x) => x.exitAt500).join(' ')}] (target: 0, nginx handled SIGQUIT)`);
  }
});
