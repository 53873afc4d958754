// The control channel's wire format between the host driver and the guest agent
// (`whalebone control-agent`, src/guest/agent, on ttyS1). Lines end in "\n"; the tty is in raw mode.
//
// Host -> guest, one request per line:
//   R <nonce> <stdin> <script>   run a script; each is "=<base64>" (inline, possibly empty) or
//                                "@<guest path>" (a file, e.g. on the 9p share); a one-line
//                                printable-ASCII script may also go as ":<text>" to the end of
//                                the line (the agent then needs no fork to decode it)
//   K <nonce>                    kill the process group of a running request
//   P <nonce>                    ping
//   I <nonce> [<parts>]          an inspector snapshot: the agent reads /proc and /sys itself and
//                                answers with a J line (or a result frame with an error); parts
//                                (src/vm/inspect.ts encodeParts) says which views to collect,
//                                none: processes and cgroups (agents before version 5 know no parts)
//   C <nonce> on|off|read        the engine chain trace (src/guest/agent/chain.ts): a J line
// Guest -> host, markers start with STX "WB " so that noise on the line (a stray ESC[6n, a
// half-written line) can never be taken for one:
//   \x02WB - READY <version>     the agent started
//   \x02WB <nonce> PONG
//   \x02WB <nonce> O <bytes>     then stdout as base64 lines
//   \x02WB <nonce> E <bytes>     then stderr as base64 lines
//   \x02WB <nonce> X <code>      end of the result; lengths are checked against the decoded bytes
//   \x02WB <nonce> J <json>      an inspector snapshot, one line of UTF-8 JSON (no base64: see the agent)

export const MARKER = '\x02WB ';

export type ControlEvent =
  | { kind: 'ready'; version: string }
  | { kind: 'pong'; nonce: string }
  | { kind: 'result'; nonce: string; stdout: Uint8Array; stderr: Uint8Array; exitCode: number }
  | { kind: 'json'; nonce: string; text: string }
  /** A frame that arrived damaged: the request it belongs to fails with this message. */
  | { kind: 'broken'; nonce: string; message: string };

export type Payload = { inline: Uint8Array } | { guestPath: string };

export type ControlRequest =
  | { kind: 'run'; nonce: string; script: Payload; stdin: Payload }
  | { kind: 'kill'; nonce: string }
  | { kind: 'ping'; nonce: string }
  | { kind: 'inspect'; nonce: string; parts?: string }
  | { kind: 'chain'; nonce: string; op: ChainOp };

/** What a chain request does: start tracing new docker commands, stop, or fetch new lines. */
export type ChainOp = 'on' | 'off' | 'read';

const NONCE_RE = /^[A-Za-z0-9_-]{1,40}$/;
const GUEST_PATH_RE = /^\/[A-Za-z0-9._/-]+$/;

function latin1(bytes: number[]): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.slice(i, i + 0x8000));
  return s;
}

export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** Decodes base64; throws on characters outside the alphabet. */
export function fromBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A one-line printable-ASCII script travels as text (read -r keeps it verbatim). */
function rawScript(p: Payload): string | null {
  if (!('inline' in p)) return null;
  const b = p.inline;
  const n = b[b.length - 1] === 0x0a ? b.length - 1 : b.length;
  if (n === 0) return null;
  for (let i = 0; i < n; i++) if ((b[i] as number) < 0x20 || (b[i] as number) > 0x7e) return null;
  return String.fromCharCode(...b.subarray(0, n));
}

function payloadField(p: Payload): string {
  if ('inline' in p) return '=' + toBase64(p.inline);
  if (!GUEST_PATH_RE.test(p.guestPath)) throw new Error(`bad guest path for a control payload: ${p.guestPath}`);
  return '@' + p.guestPath;
}

export function encodeRequest(req: ControlRequest): Uint8Array {
  if (!NONCE_RE.test(req.nonce)) throw new Error(`bad nonce: ${JSON.stringify(req.nonce)}`);
  let line: string;
  switch (req.kind) {
    case 'run':
      const raw = rawScript(req.script);
      line = `R ${req.nonce} ${payloadField(req.stdin)} ${raw !== null ? ':' + raw : payloadField(req.script)}`;
      break;
    case 'kill':
      line = `K ${req.nonce}`;
      break;
    case 'ping':
      line = `P ${req.nonce}`;
      break;
    case 'inspect':
      line = req.parts ? `I ${req.nonce} ${req.parts}` : `I ${req.nonce}`;
      break;
    case 'chain':
      line = `C ${req.nonce} ${req.op}`;
      break;
  }
  return new TextEncoder().encode(line + '\n');
}

interface OpenFrame {
  nonce: string;
  section: 'out' | 'err';
  outLen: number;
  errLen: number;
  out: string[];
  err: string[];
}

/** Longest line kept while looking for a newline outside a frame; longer noise is dropped. */
const MAX_NOISE_LINE = 64 * 1024;
/** Longest J line (an inspector snapshot of a few hundred processes is well under this). */
const MAX_JSON_LINE = 4 * 1024 * 1024;

/**
 * Turns the byte stream from the guest's control tty into events. Bytes may arrive in chunks of
 * any size; anything that is not part of a well-formed frame is ignored (and counted).
 */
export class ControlParser {
  private pending: number[] = [];
  private frame: OpenFrame | null = null;
  /** Lines seen outside any frame (boot noise, echoes before the agent set raw mode). */
  noiseLines = 0;

  push(chunk: Uint8Array): ControlEvent[] {
    const events: ControlEvent[] = [];
    for (const byte of chunk) {
      if (byte === 0x0a) {
        this.line(latin1(this.pending), events);
        this.pending = [];
      } else if (this.pending.length < MAX_NOISE_LINE || this.frame || (this.pending.length < MAX_JSON_LINE && this.pending[0] === 0x02)) {
        this.pending.push(byte);
      }
    }
    return events;
  }

  private line(raw: string, events: ControlEvent[]): void {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const at = text.indexOf(MARKER);
    if (at < 0) {
      if (this.frame) this.frame[this.frame.section].push(text.trim());
      else this.noiseLines++;
      return;
    }
    if (at > 0 && this.frame) {
      // Base64 text directly followed by a marker: the payload lost its newline. Keep it.
      this.frame[this.frame.section].push(text.slice(0, at).trim());
    } else if (at > 0) this.noiseLines++;
    const body = text.slice(at + MARKER.length);
    const [nonce = '', tag = '', arg = ''] = body.split(' ', 3);
    switch (tag) {
      case 'J': {
        const json = body.slice(nonce.length + 3);
        const bytes = new Uint8Array(json.length);
        for (let i = 0; i < json.length; i++) bytes[i] = json.charCodeAt(i);
        events.push({ kind: 'json', nonce, text: new TextDecoder().decode(bytes) });
        return;
      }
      case 'READY':
        events.push({ kind: 'ready', version: arg });
        return;
      case 'PONG':
        events.push({ kind: 'pong', nonce });
        return;
      case 'O': {
        if (this.frame) events.push({ kind: 'broken', nonce: this.frame.nonce, message: 'result frame cut short by another frame' });
        this.frame = { nonce, section: 'out', outLen: Number(arg), errLen: -1, out: [], err: [] };
        return;
      }
      case 'E': {
        if (!this.frame || this.frame.nonce !== nonce || this.frame.section !== 'out') {
          this.brokenMarker(nonce, 'stderr marker outside its frame', events);
          return;
        }
        this.frame.section = 'err';
        this.frame.errLen = Number(arg);
        return;
      }
      case 'X': {
        const f = this.frame;
        this.frame = null;
        if (!f || f.nonce !== nonce || f.section !== 'err') {
          if (f) events.push({ kind: 'broken', nonce: f.nonce, message: 'result frame ended by a different request' });
          events.push({ kind: 'broken', nonce, message: 'exit marker without its frame' });
          return;
        }
        events.push(finish(f, arg));
        return;
      }
      default:
        this.noiseLines++;
    }
  }

  private brokenMarker(nonce: string, message: string, events: ControlEvent[]): void {
    if (this.frame) events.push({ kind: 'broken', nonce: this.frame.nonce, message });
    if (!this.frame || this.frame.nonce !== nonce) events.push({ kind: 'broken', nonce, message });
    this.frame = null;
  }
}

function finish(f: OpenFrame, code: string): ControlEvent {
  const exitCode = Number(code);
  if (!/^\d+$/.test(code) || exitCode > 255) return { kind: 'broken', nonce: f.nonce, message: `bad exit code ${JSON.stringify(code)}` };
  let stdout: Uint8Array;
  let stderr: Uint8Array;
  try {
    stdout = fromBase64(f.out.join(''));
    stderr = fromBase64(f.err.join(''));
  } catch {
    return { kind: 'broken', nonce: f.nonce, message: 'result payload is not valid base64' };
  }
  if (stdout.length !== f.outLen || stderr.length !== f.errLen)
    return {
      kind: 'broken',
      nonce: f.nonce,
      message: `result payload damaged: stdout ${stdout.length}/${f.outLen} bytes, stderr ${stderr.length}/${f.errLen} bytes`,
    };
  return { kind: 'result', nonce: f.nonce, stdout, stderr, exitCode };
}

/** Single-quotes a string for sh. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The script the agent runs for exec(command, { cwd, env }). */
export function buildScript(command: string, opts: { cwd?: string; env?: Record<string, string> } = {}): string {
  const lines: string[] = [];
  if (opts.cwd !== undefined) lines.push(`cd -- ${shellQuote(opts.cwd)} || exit 1`);
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (!ENV_NAME_RE.test(k)) throw new Error(`bad environment variable name: ${JSON.stringify(k)}`);
    lines.push(`export ${k}=${shellQuote(v)}`);
  }
  lines.push(command);
  return lines.join('\n') + '\n';
}
