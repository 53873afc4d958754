// Right after a restore v86 has compiled none of the guest's code: it interprets each page of
// guest code until that page has run enough to be compiled. So the first docker run in a restored
// guest took 1.5-1.9 s and the second 0.8 s where a warmed guest takes 0.5 s (measured in Node).
// Read-only commands that run the same code (the runtime's start, the CLI's and dockerd's API
// paths, the shim's and runc's code, the kernel's fork, exec and namespaces) warm it while the
// learner reads; the first docker run then took 0.7-0.8 s and the second 0.4-0.5 s. They run at
// the lowest priority, so a command typed meanwhile goes first, and they leave nothing a learner
// can see: no container, image, network or event.

/** Rounds of the warm-up's commands (about 0.8 s of guest time each on a warm host). */
export const WARM_UP_ROUNDS = 3;

/** The engine chain view's switch (sys/trace.ts): while it is on, the warm-up would show in it. */
const TRACE_SWITCH = '/var/run/whalebone-trace';

/** A guest command that starts the warm-up in the background and returns at once. */
export function warmUpCommand(rounds = WARM_UP_ROUNDS): string {
  const round = [
    'docker ps -a', 'docker images', 'docker version', 'containerd-shim --help', 'runc --version',
    'unshare --mount --pid --uts --ipc --net --fork true',
  ].join('; ');
  const loop = `renice -n 19 -p $$; i=0; while [ $i -lt ${rounds} ]; do ${round}; i=$((i + 1)); done`;
  return `[ -e ${TRACE_SWITCH} ] || setsid sh -c '${loop}' </dev/null >/dev/null 2>&1 &`;
}
