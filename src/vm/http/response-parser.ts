// Stage 2: the response, parsed incrementally from segments of any size (v86 hands over one TCP
// segment at a time, so a head, a chunk-size line or a CRLF may be split anywhere). Bodies are
// kept as bytes: binary safe. Framing follows RFC 9112 section 6.3: no body for HEAD, 1xx, 204
// and 304; chunked when Transfer-Encoding ends in chunked; else Content-Length; else up to the
// close of the connection.
import { HttpProtocolError } from './errors.ts';
import type { HeaderList } from './types.ts';

const MAX_HEAD = 64 * 1024;
const MAX_LINE = 8 * 1024;

export interface ParsedResponse {
  version: string;
  status: number;
  statusText: string;
  headers: HeaderList;
  body: Uint8Array;
  /** Whether the connection may carry another request (HTTP/1.1 keep-alive, a delimited body, nothing extra after it). */
  keepAlive: boolean;
}

type BodyState =
  | { kind: 'none' }
  | { kind: 'length'; left: number }
  | { kind: 'chunked'; at: 'size' | 'data' | 'data-crlf' | 'trailer'; left: number }
  | { kind: 'close' };

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return s;
}

export class ResponseParser {
  private head: number[] = [];
  private line: number[] = [];
  private body: Uint8Array[] = [];
  private bodyBytes = 0;
  private state: BodyState | null = null;
  private status = 0;
  private statusText = '';
  private version = '';
  private headers: HeaderList = [];
  private result: ParsedResponse | null = null;
  private extra = false;
  /** Any byte received: an idle keep-alive connection closed before that may be retried. */
  started = false;

  constructor(private readonly method: string) {}

  get done(): ParsedResponse | null {
    return this.result;
  }

  /** Feeds bytes; returns the response once it is complete. Throws HttpProtocolError on malformed input. */
  push(chunk: Uint8Array): ParsedResponse | null {
    if (chunk.length) this.started = true;
    let i = 0;
    while (i < chunk.length) {
      if (this.result) {
        // Bytes after a complete response: the connection is out of step, never reuse it.
        this.extra = true;
        this.result.keepAlive = false;
        return this.result;
      }
      if (!this.state) i = this.pushHead(chunk, i);
      else i = this.pushBody(chunk, i);
    }
    return this.result;
  }

  /** The peer closed the connection: completes a close-delimited body, or says what was cut short. */
  end(): ParsedResponse {
    if (this.result) return this.result;
    if (this.state?.kind === 'close') return this.finish();
    if (!this.started) throw new HttpProtocolError('the server closed the connection without answering');
    if (!this.state) throw new HttpProtocolError('the server closed the connection in the middle of the response head');
    throw new HttpProtocolError(`the server closed the connection before the end of the body (${this.bodyBytes} bytes received)`);
  }

  private pushHead(chunk: Uint8Array, i: number): number {
    for (; i < chunk.length; i++) {
      const b = chunk[i] as number;
      this.head.push(b);
      if (this.head.length > MAX_HEAD) throw new HttpProtocolError(`the response head is over ${MAX_HEAD} bytes`);
      const n = this.head.length;
      if (b === 0x0a && (this.head[n - 2] === 0x0a || (this.head[n - 2] === 0x0d && this.head[n - 3] === 0x0a))) {
        const interim = this.parseHead(latin1(Uint8Array.from(this.head)));
        this.head = [];
        if (!interim) return i + 1;
      }
    }
    return i;
  }

  /** Parses a complete head; returns true for an interim (1xx) response, which is skipped. */
  private parseHead(text: string): boolean {
    const lines = text.split(/\r?\n/);
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    const m = /^HTTP\/(1\.[01]) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
    if (!m) throw new HttpProtocolError(`not an HTTP/1.x response: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
    const status = Number(m[2]);
    const headers: HeaderList = [];
    for (const line of lines.slice(1)) {
      if (/^[ \t]/.test(line) && headers.length) {
        // obsolete line folding: part of the previous value
        const last = headers[headers.length - 1] as [string, string];
        last[1] += ' ' + line.trim();
        continue;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) throw new HttpProtocolError(`bad header line in the response: ${JSON.stringify(line.slice(0, 80))}`);
      headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
    if (status >= 100 && status < 200 && status !== 101) return true;
    this.version = m[1] as string;
    this.status = status;
    this.statusText = m[3] ?? '';
    this.headers = headers;
    this.state = this.framing();
    if (this.state.kind === 'none' || (this.state.kind === 'length' && this.state.left === 0)) this.finish();
    return false;
  }

  private framing(): BodyState {
    if (this.method === 'HEAD' || this.status === 204 || this.status === 304 || this.status < 200) return { kind: 'none' };
    const te = this.values('transfer-encoding');
    if (te.length) {
      const codings = te.join(',').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
      if (codings[codings.length - 1] === 'chunked') return { kind: 'chunked', at: 'size', left: 0 };
      return { kind: 'close' };
    }
    const cl = this.values('content-length');
    if (cl.length) {
      const distinct = new Set(cl.join(',').split(',').map((s) => s.trim()));
      const [only] = distinct;
      if (distinct.size !== 1 || !/^\d{1,15}$/.test(only ?? '')) throw new HttpProtocolError(`bad Content-Length in the response: ${JSON.stringify(cl.join(', '))}`);
      return { kind: 'length', left: Number(only) };
    }
    return { kind: 'close' };
  }

  private values(name: string): string[] {
    return this.headers.filter(([k]) => k.toLowerCase() === name).map(([, v]) => v);
  }

  private pushBody(chunk: Uint8Array, i: number): number {
    const s = this.state as BodyState;
    switch (s.kind) {
      case 'none':
        return i; // unreachable: finish() ran
      case 'close':
        this.keep(chunk.subarray(i));
        return chunk.length;
      case 'length': {
        const n = Math.min(s.left, chunk.length - i);
        this.keep(chunk.subarray(i, i + n));
        s.left -= n;
        if (s.left === 0) this.finish();
        return i + n;
      }
      case 'chunked':
        return this.pushChunked(s, chunk, i);
    }
  }

  private pushChunked(s: Extract<BodyState, { kind: 'chunked' }>, chunk: Uint8Array, i: number): number {
    if (s.at === 'data') {
      const n = Math.min(s.left, chunk.length - i);
      this.keep(chunk.subarray(i, i + n));
      s.left -= n;
      if (s.left === 0) s.at = 'data-crlf';
      return i + n;
    }
    // size, data-crlf and trailer are lines
    for (; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (b !== 0x0a) {
        this.line.push(b);
        if (this.line.length > MAX_LINE) throw new HttpProtocolError('a chunk-size or trailer line in the response is too long');
        continue;
      }
      const text = latin1(Uint8Array.from(this.line)).replace(/\r$/, '');
      this.line = [];
      if (s.at === 'data-crlf') {
        if (text !== '') throw new HttpProtocolError('a chunk of the response does not end where its size says');
        s.at = 'size';
      } else if (s.at === 'size') {
        // chunk extensions (";name=value") are allowed and ignored
        const m = /^([0-9A-Fa-f]{1,15})[ \t]*(?:;.*)?$/.exec(text);
        if (!m) throw new HttpProtocolError(`bad chunk size line in the response: ${JSON.stringify(text.slice(0, 40))}`);
        const size = parseInt(m[1] as string, 16);
        if (size === 0) s.at = 'trailer';
        else {
          s.at = 'data';
          s.left = size;
        }
      } else if (text === '') {
        this.finish();
      } else if (text.indexOf(':') > 0) {
        const c = text.indexOf(':');
        this.headers.push([text.slice(0, c).trim(), text.slice(c + 1).trim()]);
      } else throw new HttpProtocolError(`bad trailer line in the response: ${JSON.stringify(text.slice(0, 40))}`);
      return i + 1;
    }
    return i;
  }

  private keep(bytes: Uint8Array): void {
    if (!bytes.length) return;
    this.body.push(bytes.slice());
    this.bodyBytes += bytes.length;
  }

  private finish(): ParsedResponse {
    const body = new Uint8Array(this.bodyBytes);
    let at = 0;
    for (const c of this.body) {
      body.set(c, at);
      at += c.length;
    }
    const connection = this.values('connection').join(',').toLowerCase();
    const keepAlive =
      this.state?.kind !== 'close' &&
      !this.extra &&
      this.status !== 101 &&
      (this.version === '1.1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection));
    this.result = { version: this.version, status: this.status, statusText: this.statusText, headers: this.headers, body, keepAlive };
    return this.result;
  }
}
