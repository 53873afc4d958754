// The multi-call table: which function runs for `docker`, `dockerd`, `runc`... The binary is
// installed once as /usr/bin/whalebone with each role name as a link to it, and
// `whalebone <role> args...` works too. Role implementations live in src/guest/{cli,daemon,
// shim,runc,compose,init}/ and are wired in here.
import { version } from '../../package.json';
import type { Syscalls } from './sys/syscalls.ts';
import { print, printErr } from './sys/io.ts';

/** A role gets its arguments (without the role name) and returns the process exit code. */
export type Role = (args: string[], sys: Syscalls) => Promise<number>;

export const ROLE_NAMES = ['docker', 'dockerd', 'containerd-shim', 'runc', 'docker-compose', 'docker-init'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

/** Exit code for the runtime's own usage errors, as Docker's CLI uses. */
export const EXIT_USAGE = 125;

export const VERSION = version;

/**
 * A role whose code is imported only when it runs: the build splits each dynamic import into its
 * own bytecode module, so `docker --version` does not read the daemon's or runc's code.
 */
function lazy(load: () => Promise<Role>): Role {
  return async (args, sys) => (await load())(args, sys);
}

export const roles: Record<RoleName, Role> = {
  docker: lazy(async () => (await import('./cli/main.ts')).dockerMain),
  dockerd: lazy(async () => (await import('./daemon/main.ts')).dockerdMain),
  'containerd-shim': lazy(async () => (await import('./shim/main.ts')).shimMain),
  runc: lazy(async () => (await import('./runc/main.ts')).runcMain),
  'docker-compose': lazy(async () => {
    const { composeMain } = await import('./compose/main.ts');
    return (args, sys) => composeMain(args, sys, 'docker-compose', roles.docker);
  }),
  'docker-init': lazy(async () => (await import('./init/main.ts')).initMain),
};

/**
 * Roles of the guest system itself rather than of Docker: reached only as `whalebone NAME`, so
 * they get no link in /usr/bin.
 */
const SYSTEM_ROLES: Record<string, Role> = {
  'control-agent': lazy(async () => (await import('./agent/main.ts')).agentMain),
  boot: lazy(async () => (await import('./boot/main.ts')).bootMain),
  mirror: lazy(async () => (await import('./mirror/main.ts')).mirrorMain),
};

function isRole(name: string | undefined): name is RoleName {
  return (ROLE_NAMES as readonly string[]).includes(name ?? '');
}

const MULTICALL_USAGE = `
Usage:  whalebone ROLE [ARGS...]
        ROLE [ARGS...]          (through a link named after the role)

Roles: ${ROLE_NAMES.join(', ')}
`;

/**
 * Picks the role from argv[0]'s basename, or from the first argument when the binary runs under
 * its own (or any other) name: `whalebone docker ps` is `docker ps`.
 */
export async function dispatch(argv: string[], sys: Syscalls): Promise<number> {
  const self = (argv[0] ?? 'whalebone').split('/').pop() ?? 'whalebone';
  if (isRole(self)) return roles[self](argv.slice(1), sys);
  const role = argv[1];
  if (isRole(role)) return roles[role](argv.slice(2), sys);
  const system = role === undefined ? undefined : SYSTEM_ROLES[role];
  if (system) return system(argv.slice(2), sys);
  if (role === '--version' || role === '-v') {
    print(sys, `whalebone ${version}\n`);
    return 0;
  }
  if (role === '--help' || role === '-h') {
    print(sys, MULTICALL_USAGE);
    return 0;
  }
  printErr(sys, `whalebone: ${role === undefined ? 'no role given' : `unknown role: ${role}`}\n${MULTICALL_USAGE}`);
  return EXIT_USAGE;
}
