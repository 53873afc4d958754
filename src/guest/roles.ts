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

const DOCKER_USAGE = `
Usage:  docker [OPTIONS] COMMAND

A self-sufficient runtime for containers (Whalebone ${version})

Options:
  -v, --version   Print version information and quit
  -h, --help      Print usage
`;

const ROLE_USAGE: Record<RoleName, string> = {
  docker: DOCKER_USAGE,
  dockerd: '\nUsage:  dockerd [OPTIONS]\n\nA self-sufficient runtime for containers.\n\nOptions:\n  -v, --version   Print version information and quit\n',
  'containerd-shim': '\nUsage:  containerd-shim [OPTIONS]\n\nOptions:\n  -v, --version   Print version information and quit\n',
  runc: '\nUsage:  runc [global options] command [command options] [arguments...]\n\nOptions:\n  -v, --version   Print the version\n',
  'docker-compose': '\nUsage:  docker compose [OPTIONS] COMMAND\n\nOptions:\n  -v, --version   Show the Docker Compose version information\n',
  'docker-init': '\nUsage:  docker-init [OPTIONS] -- PROGRAM [ARGS]\n\nOptions:\n  -v, --version   Show version and exit\n',
};

const VERSION_LINE: Record<RoleName, string> = {
  docker: `Docker version ${version}, build whalebone`,
  dockerd: `Docker version ${version}, build whalebone`,
  'containerd-shim': `containerd-shim whalebone ${version}`,
  runc: `runc version ${version}\ncommit: whalebone\nspec: 1.0.2-dev`,
  'docker-compose': `Docker Compose version v${version}`,
  'docker-init': `tini version ${version} - whalebone`,
};

/** What every role does before it has an implementation: version, help, or a usage error. */
function basicRole(name: RoleName): Role {
  return async (args, sys) => {
    const first = args[0];
    if (first === '--version' || first === '-v' || (name === 'runc' && first === 'version') || (name === 'docker-compose' && first === 'version')) {
      print(sys, VERSION_LINE[name] + '\n');
      return 0;
    }
    if (first === '--help' || first === '-h' || (first === 'help' && name !== 'docker-init')) {
      print(sys, ROLE_USAGE[name]);
      return 0;
    }
    const what = first === undefined ? `${name} needs a command` : `unknown command: ${name} ${first}`;
    printErr(sys, `${name}: ${what}\n${ROLE_USAGE[name]}\nRun '${name} --help' for more information\n`);
    return EXIT_USAGE;
  };
}

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
  'docker-compose': basicRole('docker-compose'),
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
