// Build cache keys. A step's key is a digest of its parent's key and everything the step's result
// depends on: the instruction as written, the build args it can see, and for COPY/ADD the
// checksum of the files it copies (or the source image for COPY --from). The same Dockerfile on
// the same base with the same files gives the same keys, so its steps are found in the cache.

import { sha256Hex } from '../../util/sha256.ts';

export interface KeyParts {
  /** The previous step's key, or the base image's id for a stage's first step. */
  parent: string;
  /** The instruction as written (continuations joined). */
  instruction: string;
  /** Values the result depends on beyond the text (ARG values, file checksums, network...). */
  inputs?: Record<string, string>;
}

export function cacheKey(p: KeyParts): string {
  const inputs = Object.entries(p.inputs ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256Hex(JSON.stringify([p.parent, p.instruction.trim(), inputs]));
}

/** The key a stage starts from: the base image (scratch has none). */
export function baseKey(imageId: string | null): string {
  return imageId ?? sha256Hex('scratch');
}
