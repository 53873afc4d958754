// 64-hex-character IDs, their 12-character short form, and lookup by name, ID or unique prefix.

export function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** A new ID from 32 random bytes; never all digits (Docker avoids those: they read as numbers). */
export function newId(randomBytes: (n: number) => Uint8Array): string {
  for (;;) {
    const id = hex(randomBytes(32));
    if (!/^\d+$/.test(id.slice(0, 12))) return id;
  }
}

export function shortId(id: string): string {
  const bare = id.startsWith('sha256:') ? id.slice(7) : id;
  return bare.slice(0, 12);
}

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}
export class AmbiguousError extends Error {
  override name = 'AmbiguousError';
}

export interface Named {
  id: string;
  name?: string;
}

/**
 * Finds an item as Docker does: full ID, then exact name (with or without the leading "/"), then a
 * unique ID prefix. Throws NotFoundError or AmbiguousError with the caller's wording for what.
 */
export function lookup<T extends Named>(items: Iterable<T>, ref: string, what = 'container'): T {
  const all = [...items];
  const bare = ref.startsWith('sha256:') ? ref.slice(7) : ref;
  const byId = all.find((i) => i.id === bare);
  if (byId) return byId;
  const name = ref.startsWith('/') ? ref.slice(1) : ref;
  const byName = all.find((i) => i.name !== undefined && i.name.replace(/^\//, '') === name);
  if (byName) return byName;
  if (bare.length > 0 && /^[0-9a-f]+$/.test(bare)) {
    const matches = all.filter((i) => i.id.startsWith(bare));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw new AmbiguousError(`multiple IDs found with provided prefix: ${ref}`);
  }
  throw new NotFoundError(`No such ${what}: ${ref}`);
}
