// Requests from the host on the control tty, one per line (format: src/vm/protocol.ts):
//   R <nonce> <stdin> <script>   each field "=<base64>" or "@<guest path>"; a script may be ":<text>"
//   K <nonce>                    kill the request's process group
//   P <nonce>                    ping
//   I <nonce> [<parts>]          an inspector snapshot (src/guest/inspect) of the parts named
//                                ("procs,cgroups,layers=<id>,net"), answered as a J line
//   C <nonce> on|off|read        the engine chain trace (chain.ts), answered as a J line
import { decodeBase64 } from '../util/base64.ts';
import type { ChainOp } from './chain.ts';

export type Field = { kind: 'data'; data: Uint8Array } | { kind: 'path'; path: string };

export type AgentRequest =
  | { kind: 'run'; nonce: string; stdin: Field; script: Field }
  | { kind: 'kill'; nonce: string }
  | { kind: 'ping'; nonce: string }
  | { kind: 'inspect'; nonce: string; parts: string | null }
  | { kind: 'chain'; nonce: string; op: ChainOp };

const NONCE_RE = /^[A-Za-z0-9_-]{1,40}$/;
const PARTS_RE = /^[a-z0-9=,]{1,200}$/;
const PATH_RE = /^\/[A-Za-z0-9._/-]+$/;

function field(text: string | undefined, allowText: boolean): Field | null {
  if (text === undefined) return null;
  if (text.startsWith('@')) return PATH_RE.test(text.slice(1)) ? { kind: 'path', path: text.slice(1) } : null;
  if (text.startsWith('=')) {
    try {
      return { kind: 'data', data: decodeBase64(text.slice(1)) };
    } catch {
      return null;
    }
  }
  if (allowText && text.startsWith(':')) {
    const data = new Uint8Array(text.length - 1);
    for (let i = 1; i < text.length; i++) data[i - 1] = text.charCodeAt(i) & 0xff;
    return { kind: 'data', data };
  }
  return null;
}

/** The request on one line (without its newline), or null for noise and malformed lines. */
export function parseRequestLine(raw: string): AgentRequest | null {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const kind = line.slice(0, 2);
  const rest = line.slice(2);
  const sp = rest.indexOf(' ');
  const nonce = sp < 0 ? rest : rest.slice(0, sp);
  if (!NONCE_RE.test(nonce)) return null;
  if (kind === 'K ' && sp < 0) return { kind: 'kill', nonce };
  if (kind === 'P ' && sp < 0) return { kind: 'ping', nonce };
  if (kind === 'I ') {
    if (sp < 0) return { kind: 'inspect', nonce, parts: null };
    const parts = rest.slice(sp + 1);
    return PARTS_RE.test(parts) ? { kind: 'inspect', nonce, parts } : null;
  }
  if (kind === 'C ' && sp >= 0) {
    const op = rest.slice(sp + 1);
    return op === 'on' || op === 'off' || op === 'read' ? { kind: 'chain', nonce, op } : null;
  }
  if (kind !== 'R ' || sp < 0) return null;
  // the script field runs to the end of the line: a ":" script may contain spaces
  const fields = rest.slice(sp + 1);
  const sp2 = fields.indexOf(' ');
  if (sp2 < 0) return null;
  const stdin = field(fields.slice(0, sp2), false);
  const script = field(fields.slice(sp2 + 1), true);
  return stdin && script ? { kind: 'run', nonce, stdin, script } : null;
}
