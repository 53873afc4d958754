// A Compose error: printed as its message on stderr, exit code 1 (as docker compose does).

export class ComposeError extends Error {
  override name = 'ComposeError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** compose-go's wording for a semantically invalid project. */
export function invalidProject(what: string): ComposeError {
  return new ComposeError(`${what}: invalid compose project`);
}
