// The client's errors. Over comlink and postMessage only name and message survive: callers test
// err.name.
import { VmError } from '../errors.ts';

/** The guest refused the connection (a reset to our SYN) or did not answer it in time. */
export class NothingListeningError extends VmError {
  override name = 'NothingListeningError';
  constructor(readonly port: number) {
    super(`nothing is listening on port ${port} in the guest`);
  }
}

/** The server sent nothing for too long, or the response was cut short. */
export class HttpTimeoutError extends VmError {
  override name = 'HttpTimeoutError';
}

/** The bytes from the server are not HTTP/1.x, or a request could not be written. */
export class HttpProtocolError extends VmError {
  override name = 'HttpProtocolError';
}
