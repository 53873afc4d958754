// Right after a restore v86 has compiled none of the guest's code: it interprets each page of
// guest code until that page has run enough to be compiled. So the first docker run in a restored
// guest took 1.9 s and the second 1.1 s where a warmed guest takes about 0.5 s. Read-only
// commands that run the same code (the runtime's start, the CLI's and dockerd's API paths, the
// shim's and runc's code, the kernel's fork, exec and namespaces) warm it while the learner
// reads: the first docker run then took 1.1 s and the second 0.7 s (bench:engine's first
// commands, in Node). They run at the lowest priority, so a command typed meanwhile goes first,
// and they leave nothing a learner can see: no container, image, network or event.

/** How long after a restore the warm-up waits (and then for no exec in flight): the page's own start goes first. */
export const WARM_UP_AFTER_MS = 2500;

/** Rounds of the warm-up's commands (about 0.8 s of guest time each on a warm host). */
export const WARM_UP_ROUNDS = 3;

/** The engine chain view's switch (sys/trace.ts): while it is on, the warm-up would show in it. */
const TRACE_SWITCH = '/var/run/whalebone-trace';

/**
 * A guest command that starts the warm-up in the background and returns at once. It stops as
 * soon as the chain view's switch is on (checked before each command), so what the view shows is
 * only what the learner runs.
 */
export function warmUpCommand(rounds = WARM_UP_ROUNDS): string {
  const round = [
    'docker ps -a', 'docker images', 'docker version', 'containerd-shim --help', 'runc --version',
    'unshare --mount --pid --uts --ipc --net --fork true',
  ].map((c) => `w ${c}`).join('; ');
  // (renice first: ps shows the shell as "sh -c renice -n 19 ...", which the tests look for)
  // each command untraced (WB_TRACE=off): one that started as the switch turned on stays out of the view too
  const loop = `renice -n 19 -p $$; w() { [ -e ${TRACE_SWITCH} ] && exit 0; WB_TRACE=off "$@"; }; i=0; while [ $i -lt ${rounds} ]; do ${round}; i=$((i + 1)); done`;
  return `[ -e ${TRACE_SWITCH} ] || setsid sh -c '${loop}' </dev/null >/dev/null 2>&1 &`;
}
