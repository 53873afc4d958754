// Errors the VM driver throws. Over comlink only name and message survive, so callers should
// test `err.name` rather than `instanceof`.

/** A general VM failure: the guest is not booted, the agent does not answer, bad input. */
export class VmError extends Error {
  override name = 'VmError';
}

/** exec() ran longer than its timeout; the command was killed and the VM stays usable. */
export class VmTimeoutError extends VmError {
  override name = 'VmTimeoutError';
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super(`command timed out after ${timeoutMs} ms and was killed: ${command.length > 80 ? command.slice(0, 77) + '...' : command}`);
  }
}

export function isVmTimeoutError(e: unknown): boolean {
  return e instanceof Error && e.name === 'VmTimeoutError';
}
