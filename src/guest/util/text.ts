// UTF-8 helpers for the runtime's modules; the codec itself lives in sys/utf8.ts.
import { decodeUtf8 } from '../sys/utf8.ts';

export { encodeUtf8 as utf8Encode } from '../sys/utf8.ts';

/** Decodes b[start, end); invalid sequences become U+FFFD. */
export function utf8Decode(b: Uint8Array, start = 0, end = b.length): string {
  return decodeUtf8(start === 0 && end === b.length ? b : b.subarray(start, end));
}
