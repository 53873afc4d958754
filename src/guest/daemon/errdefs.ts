// The engine's error kinds, as moby's errdefs: the engine says what went wrong, the API layer
// alone decides the HTTP status (api.ts httpStatus), so engine code never names a status.

/** Base of the engine's typed errors; `name` is kept distinct so logs say which kind. */
export abstract class EngineError extends Error {}

/** No such container, image, volume, network, exec instance (404). */
export class NotFound extends EngineError {
  override name = 'NotFound';
}

/** The request is malformed or names something invalid (400). */
export class InvalidParameter extends EngineError {
  override name = 'InvalidParameter';
}

/** The object's state forbids the request: running, in use, name taken (409). */
export class Conflict extends EngineError {
  override name = 'Conflict';
}

/** The engine failed on a valid request (500). */
export class SystemError extends EngineError {
  override name = 'SystemError';
}

/** Understood but not allowed: a predefined network, one with endpoints still on it (403). */
export class Forbidden extends EngineError {
  override name = 'Forbidden';
}
