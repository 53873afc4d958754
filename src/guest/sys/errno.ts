// Linux errno numbers (the generic table, which i386 uses) and their names.
export const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 4: 'EINTR', 5: 'EIO', 6: 'ENXIO', 7: 'E2BIG', 8: 'ENOEXEC',
  9: 'EBADF', 10: 'ECHILD', 11: 'EAGAIN', 12: 'ENOMEM', 13: 'EACCES', 14: 'EFAULT', 15: 'ENOTBLK',
  16: 'EBUSY', 17: 'EEXIST', 18: 'EXDEV', 19: 'ENODEV', 20: 'ENOTDIR', 21: 'EISDIR', 22: 'EINVAL',
  23: 'ENFILE', 24: 'EMFILE', 25: 'ENOTTY', 26: 'ETXTBSY', 27: 'EFBIG', 28: 'ENOSPC', 29: 'ESPIPE',
  30: 'EROFS', 31: 'EMLINK', 32: 'EPIPE', 33: 'EDOM', 34: 'ERANGE', 35: 'EDEADLK', 36: 'ENAMETOOLONG',
  37: 'ENOLCK', 38: 'ENOSYS', 39: 'ENOTEMPTY', 40: 'ELOOP', 42: 'ENOMSG', 43: 'EIDRM', 61: 'ENODATA',
  62: 'ETIME', 71: 'EPROTO', 75: 'EOVERFLOW', 84: 'EILSEQ', 88: 'ENOTSOCK', 89: 'EDESTADDRREQ',
  90: 'EMSGSIZE', 91: 'EPROTOTYPE', 92: 'ENOPROTOOPT', 93: 'EPROTONOSUPPORT', 94: 'ESOCKTNOSUPPORT',
  95: 'EOPNOTSUPP', 96: 'EPFNOSUPPORT', 97: 'EAFNOSUPPORT', 98: 'EADDRINUSE', 99: 'EADDRNOTAVAIL',
  100: 'ENETDOWN', 101: 'ENETUNREACH', 102: 'ENETRESET', 103: 'ECONNABORTED', 104: 'ECONNRESET',
  105: 'ENOBUFS', 106: 'EISCONN', 107: 'ENOTCONN', 108: 'ESHUTDOWN', 110: 'ETIMEDOUT',
  111: 'ECONNREFUSED', 112: 'EHOSTDOWN', 113: 'EHOSTUNREACH', 114: 'EALREADY', 115: 'EINPROGRESS',
  116: 'ESTALE', 122: 'EDQUOT', 125: 'ECANCELED', 130: 'EOWNERDEAD',
};

/**
 * Names to numbers, made on first use: every process of the runtime loads this module, and
 * building the map up front cost a sixth of a `docker --version` on the guest's emulated CPU.
 */
let byName: Map<string, number> | null = null;

export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `E${errno}`;
}

export function errnoNumber(name: string): number {
  if (!byName) {
    byName = new Map();
    for (const [n, errName] of Object.entries(ERRNO_NAMES)) byName.set(errName, Number(n));
  }
  const n = byName.get(name);
  if (n === undefined) throw new Error(`unknown errno name ${name}`);
  return n;
}
