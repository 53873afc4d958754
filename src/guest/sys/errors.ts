import { errnoName, errnoNumber } from './errno.ts';

/** Renders a call as text for error messages: pivot_root(".", "."), mount("proc", "/proc", ...). */
export function callText(name: string, args: readonly unknown[]): string {
  const show = (a: unknown): string => {
    if (typeof a === 'string') return JSON.stringify(a);
    if (a instanceof Uint8Array) return `<${a.length} bytes>`;
    if (typeof a === 'bigint') return `0x${a.toString(16)}`;
    if (Array.isArray(a)) return `[${a.map(show).join(', ')}]`;
    if (a === undefined) return 'undefined';
    if (a !== null && typeof a === 'object') return JSON.stringify(a);
    return String(a);
  };
  return `${name}(${args.map(show).join(', ')})`;
}

/** A failed system call: `EINVAL: pivot_root(".", ".")`. */
export class SyscallError extends Error {
  override name = 'SyscallError';
  constructor(
    /** Errno name, e.g. "EINVAL". */
    readonly code: string,
    readonly errno: number,
    /** The call as text, e.g. `pivot_root(".", ".")`. */
    readonly call: string,
  ) {
    super(`${code}: ${call}`);
  }

  static of(errno: number, name: string, args: readonly unknown[]): SyscallError {
    return new SyscallError(errnoName(errno), errno, callText(name, args));
  }

  static named(code: string, name: string, args: readonly unknown[]): SyscallError {
    return new SyscallError(code, errnoNumber(code), callText(name, args));
  }
}

/** True when e is a SyscallError with that errno name (e.g. isErrno(e, "ENOENT")). */
export function isErrno(e: unknown, code: string): e is SyscallError {
  return e instanceof SyscallError && e.code === code;
}

/**
 * The strerror wording Go prints (lower case) for the errnos a learner can cause on purpose and
 * should see in Docker's words: a full disk (the guest's tmpfs) or a quota.
 */
const GO_TEXT: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
};

/**
 * Go's *PathError text for a failed call, as dockerd's errors carry it: `write /var/lib/docker/x:
 * no space left on device`. Null for errnos that keep this runtime's own form.
 */
export function goErrorText(e: unknown): string | null {
  if (!(e instanceof SyscallError)) return null;
  const text = GO_TEXT[e.code];
  if (text === undefined) return null;
  const m = /^(\w+)\(("(?:[^"\\]|\\.)*")?/.exec(e.call);
  const op = m?.[1] ?? e.call;
  const path = m?.[2] !== undefined ? (JSON.parse(m[2]) as string) : '';
  return path ? `${op} ${path}: ${text}` : `${op}: ${text}`;
}

/** The message an error reaches the learner with: Go's wording where Docker has one. */
export function errorText(e: unknown): string {
  return goErrorText(e) ?? (e instanceof Error ? e.message : String(e));
}
