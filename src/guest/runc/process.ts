// The last steps of starting a container process, shared by the init of a new container and by
// `runc exec`: find the program on PATH, switch user, drop capabilities, execve.

import type { Syscalls } from '../sys/syscalls.ts';
import { PR_SET_KEEPCAPS, PR_SET_NO_NEW_PRIVS, S_IFDIR, S_IFMT } from '../sys/constants.ts';
import { applyCapSets, capSetsOf, dropBounding } from './caps.ts';
import { applyRlimits } from './rlimits.ts';
import type { OciProcess } from './spec.ts';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** An error starting the user's program, with the exit code Docker gives it (127 or 126). */
export class ExecError extends Error {
  override name = 'ExecError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export function envValue(env: readonly string[], name: string): string | undefined {
  const hit = env.find((e) => e.startsWith(`${name}=`));
  return hit?.slice(name.length + 1);
}

/** Finds the program as execvp would, with Go's exec.LookPath wording for failures. */
export function lookPath(sys: Syscalls, name: string, env: readonly string[]): string {
  const check = (p: string): 'ok' | 'missing' | 'noexec' => {
    try {
      const st = sys.statOrNull(p);
      if (st === null) return 'missing';
      if ((st.mode & S_IFMT) === S_IFDIR) return 'noexec';
      return st.mode & 0o111 ? 'ok' : 'noexec';
    } catch {
      return 'missing';
    }
  };
  if (name.includes('/')) {
    const r = check(name);
    if (r === 'ok') return name;
    if (r === 'noexec') throw new ExecError(`exec: "${name}": permission denied`, 126);
    throw new ExecError(`exec: "${name}": stat ${name}: no such file or directory`, 127);
  }
  let sawNoexec = false;
  for (const dir of (envValue(env, 'PATH') ?? DEFAULT_PATH).split(':')) {
    const p = `${dir === '' ? '.' : dir}/${name}`;
    const r = check(p);
    if (r === 'ok') return p;
    if (r === 'noexec') sawNoexec = true;
  }
  if (sawNoexec) throw new ExecError(`exec: "${name}": permission denied`, 126);
  throw new ExecError(`exec: "${name}": executable file not found in $PATH`, 127);
}

/** Sets the resource limits, then switches credentials and capabilities as the spec's process asks. Call as root. */
export function finalizeProcess(sys: Syscalls, p: OciProcess, lastCap?: number): void {
  // while still root with every capability: a hard limit above ours needs CAP_SYS_RESOURCE
  applyRlimits(sys, p.rlimits);
  const caps = capSetsOf(p.capabilities);
  dropBounding(sys, caps.bounding, lastCap);
  const { uid, gid } = p.user;
  // keep permitted capabilities across the uid change; capset below sets the wanted ones
  if (uid !== 0) sys.prctl(PR_SET_KEEPCAPS, 1);
  sys.setgroups(p.user.additionalGids ?? []);
  sys.setgid(gid);
  sys.setuid(uid);
  if (uid !== 0) sys.prctl(PR_SET_KEEPCAPS, 0);
  applyCapSets(sys, caps.sets, caps.ambient, lastCap);
  if (p.noNewPrivileges) sys.prctl(PR_SET_NO_NEW_PRIVS, 1);
  sys.umask(p.user.umask ?? 0o022);
}

/** The environment a process gets: the spec's, with PATH and HOME filled in when missing. */
export function processEnv(p: OciProcess): string[] {
  const env = [...(p.env ?? [])];
  if (envValue(env, 'PATH') === undefined) env.unshift(`PATH=${DEFAULT_PATH}`);
  if (envValue(env, 'HOME') === undefined) env.push(`HOME=${p.user.uid === 0 ? '/root' : '/'}`);
  return env;
}
