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
