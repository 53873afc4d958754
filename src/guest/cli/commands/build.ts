// docker build and docker builder prune. The client's half of a build: read the Dockerfile, tar
// the context (minus .dockerignore), POST /build, and show the daemon's progress: BuildKit's
// (on a terminal redrawn in place, plain when piped) unless DOCKER_BUILDKIT=0, which gets the
// legacy builder's "Step 1/4 : ..." text as the daemon streams it.

import { excerpt } from '../../build/dockerfile/errors.ts';
import { tarContext } from '../../build/context/send.ts';
import { TAR_END, concatBytes, tarMember } from '../../build/context/tarwrite.ts';
import { ProgressRenderer, contextSize, type ProgressMode } from '../../build/progress/render.ts';
import { TRACE_ID, type SolveStatus } from '../../build/progress/trace.ts';
import { parseRef } from '../../images/reference.ts';
import { S_IFDIR, S_IFMT } from '../../sys/constants.ts';
import { humanSize } from '../../util/humanize.ts';
import { hex } from '../../util/ids.ts';
import { resolve } from '../../util/path.ts';
import { utf8Decode } from '../../util/text.ts';
import { ApiResponseError } from '../client.ts';
import { CliError, confirm, type CommandTable, type Ctx } from './context.ts';
import { BUILD_SPECS } from './build-spec.ts';
import type { Parsed } from '../../util/flags.ts';

interface JsonMessage {
  stream?: string;
  status?: string;
  id?: string;
  aux?: unknown;
  error?: string;
  errorDetail?: { message: string; code?: number; line?: number; endLine?: number };
}


function legacyMode(c: Ctx): boolean {
  const v = c.sys.getenv('DOCKER_BUILDKIT');
  return v !== undefined && /^(0|false)$/i.test(v);
}

function keyValues(list: string[], c: Ctx, env: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const eq = kv.indexOf('=');
    if (eq < 0) {
      // --build-arg NAME takes the value from the environment (and is left out when unset)
      if (!env) out[kv] = '';
      else {
        const v = c.sys.getenv(kv);
        if (v !== undefined) out[kv] = v;
      }
    } else out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

function build(c: Ctx, p: Parsed): number {
  const legacy = legacyMode(c);
  const quiet = p.flags.bool('quiet');
  const cwd = c.sys.getcwd();
  const ctxArg = p.args[0]!;
  if (ctxArg === '-' || /^(https?|git):\/\//.test(ctxArg) || ctxArg.startsWith('git@')) {
    throw new CliError(`unable to prepare context: ${ctxArg === '-' ? 'a context from stdin' : 'a remote context'} is not supported here (there is no network): use a local folder`);
  }
  const ctxDir = resolve(cwd, ctxArg);
  const st = c.sys.statOrNull(ctxDir);
  if (!st) throw new CliError(legacy ? `unable to prepare context: path "${ctxArg}" not found` : `ERROR: failed to build: unable to prepare context: path "${ctxArg}" not found`);
  if ((st.mode & S_IFMT) !== S_IFDIR) throw new CliError(`unable to prepare context: context must be a directory: ${ctxDir}`);

  // -f is relative to the current directory; the daemon wants it relative to the context
  const fileFlag = p.flags.string('file');
  const dfPath = fileFlag ? resolve(cwd, fileFlag) : `${ctxDir}/Dockerfile`;
  let dfText: string;
  try {
    dfText = utf8Decode(c.sys.readFile(dfPath));
  } catch {
    const shown = fileFlag || `${ctxDir}/Dockerfile`;
    if (legacy) throw new CliError(`unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${shown.startsWith('/') ? shown : resolve(cwd, shown)}: no such file or directory`);
    throw new CliError(`ERROR: failed to build: failed to solve: failed to read dockerfile: open ${fileFlag ? fileFlag.replace(/^.*\//, '') : 'Dockerfile'}: no such file or directory`);
  }
  const inside = dfPath.startsWith(`${ctxDir}/`);
  let dfName = inside ? dfPath.slice(ctxDir.length + 1) : `.dockerfile.${hex(c.sys.randomBytes(10))}`;
  let { tar } = tarContext(c.sys, ctxDir, inside ? dfName : 'Dockerfile');
  if (!inside) {
    // a Dockerfile outside the context travels inside it under a name of its own, as Docker does
    tar = concatBytes([tar.subarray(0, tar.length - TAR_END.length), ...tarMember({ path: dfName, type: 'file', mode: 0o644, data: c.sys.readFile(dfPath) }), TAR_END]);
  }
  if (!dfName) dfName = 'Dockerfile';

  const tags = p.flags.list('tag');
  for (const t of tags) {
    try {
      parseRef(t);
    } catch (e) {
      throw new CliError(`invalid argument "${t}" for "-t, --tag" flag: ${(e as Error).message}\nSee 'docker build --help'.`, 1);
    }
  }
  const q: string[] = [];
  for (const t of tags) q.push(`t=${encodeURIComponent(t)}`);
  q.push(`dockerfile=${encodeURIComponent(dfName)}`);
  const buildArgs = keyValues(p.flags.list('build-arg'), c, true);
  if (Object.keys(buildArgs).length) q.push(`buildargs=${encodeURIComponent(JSON.stringify(buildArgs))}`);
  const labels = keyValues(p.flags.list('label'), c, false);
  if (Object.keys(labels).length) q.push(`labels=${encodeURIComponent(JSON.stringify(labels))}`);
  if (p.flags.bool('no-cache')) q.push('nocache=1');
  if (p.flags.bool('pull')) q.push('pull=1');
  if (quiet) q.push('q=1');
  if (p.flags.string('target')) q.push(`target=${encodeURIComponent(p.flags.string('target'))}`);
  const network = p.flags.string('network') || 'default';
  q.push(`networkmode=${encodeURIComponent(network)}`);
  q.push(`rm=${p.flags.bool('rm') ? 1 : 0}`, `forcerm=${p.flags.bool('force-rm') ? 1 : 0}`);

  let mode: ProgressMode = 'quiet';
  if (!legacy) {
    q.push('version=2');
    const want = p.flags.string('progress') || 'auto';
    if (!['auto', 'plain', 'tty', 'quiet', 'rawjson'].includes(want)) throw new CliError(`ERROR: failed to build: invalid progress mode ${want}`);
    if (quiet || want === 'quiet') mode = 'quiet';
    else if (want === 'plain' || want === 'rawjson') mode = 'plain';
    else if (want === 'tty') mode = 'tty';
    else mode = c.sys.isatty(2) ? 'tty' : 'plain';
  } else {
    c.err('DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n            BuildKit is currently disabled; enable it by removing the DOCKER_BUILDKIT=0\n            environment-variable.\n\n');
    if (!quiet) c.out(`Sending build context to Docker daemon  ${contextSize(tar.length)}\n`);
  }
  let width = 80;
  try {
    if (c.sys.isatty(2)) width = c.sys.getWinsize(2).cols || 80;
  } catch {
    // not a terminal
  }
  const renderer = new ProgressRenderer(mode, c.err, () => Date.now(), width);

  const { conn, res } = c.client.openBytes('POST', `/build?${q.join('&')}`, tar, 'application/x-tar', { Connection: 'close' });
  if (res.status >= 400) {
    let text = '';
    conn.readBody(res, (b) => (text += utf8Decode(b)));
    conn.close();
    let msg = text.trim();
    try {
      msg = (JSON.parse(text) as { message: string }).message;
    } catch {
      // plain text
    }
    if (legacy) throw new ApiResponseError(res.status, msg);
    renderer.finish(msg);
    throw new CliError(`ERROR: failed to build: ${msg.startsWith('failed to solve') ? msg : `failed to solve: ${msg}`}`);
  }
  let imageId = '';
  let failure: JsonMessage['errorDetail'] | null = null;
  let pending = '';
  conn.readBody(res, (b) => {
    pending += utf8Decode(b);
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      const m = JSON.parse(line) as JsonMessage;
      if (m.errorDetail) failure = m.errorDetail;
      else if (m.id === TRACE_ID && m.aux) renderer.update(m.aux as SolveStatus);
      else if (m.aux && typeof (m.aux as { ID?: string }).ID === 'string') imageId = (m.aux as { ID: string }).ID;
      else if (m.stream !== undefined && !quiet) c.out(m.stream);
      else if (m.status !== undefined && !quiet) c.out(m.id ? `${m.id}: ${m.status}\n` : `${m.status}\n`);
    }
  });
  conn.close();
  const fail = failure as JsonMessage['errorDetail'] | null;
  if (fail) {
    if (legacy) {
      c.err(`${fail.message}\n`);
      return fail.code ?? 1;
    }
    renderer.finish(fail.message);
    if (fail.line) c.err(`${excerpt(dfName === '' ? 'Dockerfile' : (fileFlag || 'Dockerfile').replace(/^.*\//, ''), dfText, { start: fail.line, end: fail.endLine ?? fail.line })}\n`);
    c.err(`ERROR: failed to build: failed to solve: ${fail.message.replace(/^failed to solve: /, '')}\n`);
    return 1;
  }
  renderer.finish(null);
  if (p.flags.string('iidfile')) c.sys.writeFile(resolve(cwd, p.flags.string('iidfile')), imageId);
  if (quiet) c.out(`${imageId}\n`);
  return 0;
}

export const buildCommands: CommandTable = {
  build: {
    spec: BUILD_SPECS['build']!,
    run: build,
  },
  'builder prune': {
    spec: BUILD_SPECS['builder prune']!,
    run: (c, p) => {
      if (!p.flags.bool('force') && !confirm(c, 'WARNING! This will remove all dangling build cache.')) return 0;
      const r = c.client.call<{ CachesDeleted: string[] | null; SpaceReclaimed: number }>('POST', `/build/prune${p.flags.bool('all') ? '?all=1' : ''}`);
      if (r.CachesDeleted?.length) c.out(`Deleted build cache objects:\n${r.CachesDeleted.map((id) => id.slice(0, 25)).join('\n')}\n\n`);
      c.out(`Total reclaimed space: ${humanSize(r.SpaceReclaimed)}\n`);
      return 0;
    },
  },
};
