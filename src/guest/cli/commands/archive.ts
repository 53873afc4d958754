// docker save and docker load (moby's cli/command/image/save.go, load.go): image archives as
// files or pipes, through GET /images/get and POST /images/load.

import { O_CLOEXEC, O_CREAT, O_TRUNC, O_WRONLY } from '../../sys/constants.ts';
import { readAllFd, writeAll } from '../../sys/io.ts';
import { utf8Decode } from '../../util/text.ts';
import { resolve } from '../../util/path.ts';
import { ApiResponseError } from '../client.ts';
import { f, CliError, type CommandTable, type Ctx } from './context.ts';
import type { HttpResponse, Connection } from '../client.ts';

/** Throws the daemon's error for a failed streamed response (its body is the error JSON). */
export function failIfError(conn: Connection, res: HttpResponse): void {
  if (res.status < 400) return;
  let text = '';
  conn.readBody(res, (b) => (text += utf8Decode(b)));
  conn.close();
  let msg = text.trim();
  try {
    msg = (JSON.parse(text) as { message: string }).message;
  } catch {
    // plain text
  }
  throw new ApiResponseError(res.status, msg);
}

function save(c: Ctx, names: string[], output: string): number {
  if (!output && c.sys.isatty(1)) throw new CliError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
  const q = names.map((n) => `names=${encodeURIComponent(n)}`).join('&');
  const { conn, res } = c.client.open('GET', `/images/get?${q}`);
  failIfError(conn, res);
  const path = output ? resolve(c.sys.getcwd(), output) : '';
  // write to a temporary name, so a failed save never leaves a truncated archive under the real one
  const fd = path ? c.sys.open(`${path}.tmp`, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) : 1;
  try {
    conn.readBody(res, (b) => writeAll(c.sys, fd, b));
  } finally {
    conn.close();
    if (path) c.sys.close(fd);
  }
  if (path) c.sys.rename(`${path}.tmp`, path);
  return 0;
}

function load(c: Ctx, input: string, quiet: boolean): number {
  let bytes: Uint8Array;
  if (input) {
    try {
      bytes = c.sys.readFile(resolve(c.sys.getcwd(), input));
    } catch {
      throw new CliError(`open ${input}: no such file or directory`);
    }
  } else {
    if (c.sys.isatty(0)) throw new CliError('requested load from stdin, but stdin is empty');
    bytes = readAllFd(c.sys, 0);
  }
  const { conn, res } = c.client.openBytes('POST', `/images/load${quiet ? '?quiet=1' : ''}`, bytes, 'application/x-tar');
  failIfError(conn, res);
  let pending = '';
  let failure = '';
  conn.readBody(res, (b) => {
    pending += utf8Decode(b);
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      const m = JSON.parse(line) as { stream?: string; error?: string };
      if (m.error) failure = m.error;
      else if (m.stream) c.out(m.stream);
    }
  });
  conn.close();
  if (failure) throw new ApiResponseError(500, failure);
  return 0;
}

export const archiveCommands: CommandTable = {
  save: {
    spec: { path: 'docker save', usage: '[OPTIONS] IMAGE [IMAGE...]', description: 'Save one or more images to a tar archive (streamed to STDOUT by default)', minArgs: 1, flags: [f('output', 'string', 'Write to a file, instead of STDOUT', 'o')] },
    run: (c, p) => save(c, p.args, p.flags.string('output')),
  },
  load: {
    spec: { path: 'docker load', usage: '[OPTIONS]', description: 'Load an image from a tar archive or STDIN', maxArgs: 0, flags: [f('input', 'string', 'Read from tar archive file, instead of STDIN', 'i'), f('quiet', 'bool', 'Suppress the load output', 'q')] },
    run: (c, p) => load(c, p.flags.string('input'), p.flags.bool('quiet')),
  },
};
