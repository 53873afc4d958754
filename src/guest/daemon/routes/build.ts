// /build: POST /build (the Engine API's image build: the context tar is the body; t, dockerfile,
// buildargs, nocache, pull, q, target, labels, networkmode in the query) and POST /build/prune.
// The answer is the JSON message stream the Docker client reads: {"stream": ...} text (the legacy
// builder's), {"aux": {"ID": ...}} with the image, {"errorDetail": ...} on failure. A client that
// asks for version=2 (ours) gets BuildKit-style progress as {"id": "moby.buildkit.trace", "aux": ...}
// messages instead of the text.

import { extractContext } from '../../build/context/extract.ts';
import { cleanRel } from '../../build/executor/copy.ts';
import { BuildError, type BuildEvent } from '../../build/executor/events.ts';
import { Executor } from '../../build/executor/executor.ts';
import { LegacyWriter } from '../../build/progress/legacy.ts';
import { TRACE_ID, TraceWriter } from '../../build/progress/trace.ts';
import { familiar, parseRef } from '../../images/reference.ts';
import { removeAll } from '../../util/fsutil.ts';
import { hex } from '../../util/ids.ts';
import { utf8Decode } from '../../util/text.ts';
import { Builder } from '../builder.ts';
import type { Engine } from '../engine.ts';
import { InvalidParameter } from '../errdefs.ts';
import { NEXT, type RouteHandler } from './context.ts';
import { errorText } from '../../sys/errors.ts';

const builders = new WeakMap<Engine, Builder>();

export function builderOf(ctx: { sys: import('../../sys/syscalls.ts').Syscalls; e: Engine }): Builder {
  let b = builders.get(ctx.e);
  if (!b) {
    b = new Builder(ctx.sys, ctx.e, ctx.e.opts.execRoot);
    builders.set(ctx.e, b);
  }
  return b;
}

function jsonMap(raw: string | null, what: string): Record<string, string> {
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as Record<string, string | null>;
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(v)) if (val !== null) out[k] = String(val);
    return out;
  } catch {
    throw new InvalidParameter(`invalid ${what}: ${raw}`);
  }
}

export const buildRoutes: RouteHandler = (ctx) => {
  const { sys, e, req, res, m, path } = ctx;
  if (m === 'POST' && path === '/build/prune') {
    res.json(200, builderOf(ctx).prune());
    return;
  }
  if (m !== 'POST' || path !== '/build') return NEXT;
  const q = req.query;
  if (q.get('remote')) throw new InvalidParameter('remote build contexts are not supported here: there is no network access; send the context instead');
  const tags = q.getAll('t').filter((t) => t !== '');
  const names: string[] = [];
  for (const t of tags) {
    try {
      names.push(familiar(parseRef(t)));
    } catch (err) {
      throw new InvalidParameter(`invalid reference format: ${(err as Error).message.replace(/^invalid reference format: /, '')}`);
    }
  }
  const dockerfileName = q.get('dockerfile') || 'Dockerfile';
  const buildArgs = new Map(Object.entries(jsonMap(q.get('buildargs'), 'buildargs')));
  const labels = jsonMap(q.get('labels'), 'labels');
  const quiet = q.bool('q');
  const trace = q.get('version') === '2';
  const network = q.get('networkmode') || 'default';
  if (!['default', 'bridge', 'none', 'host'].includes(network)) throw new InvalidParameter(`network mode "${network}" not supported by buildkit`);

  const ctxDir = `${e.opts.root}/tmp/build-context-${hex(sys.randomBytes(8))}`;
  try {
    extractContext(sys, req.body, ctxDir);
  } catch (err) {
    removeAll(sys, ctxDir);
    throw new InvalidParameter(`failed to read the build context: ${(err as Error).message}`);
  }
  const rel = cleanRel(dockerfileName);
  let text: string;
  try {
    text = utf8Decode(sys.readFile(`${ctxDir}/${rel}`));
  } catch {
    removeAll(sys, ctxDir);
    throw new InvalidParameter(trace ? `failed to solve: failed to read dockerfile: open ${dockerfileName}: no such file or directory` : `Cannot locate specified Dockerfile: ${dockerfileName}`);
  }

  res.stream(200, 'application/json');
  const send = (msg: unknown): void => res.chunk(`${JSON.stringify(msg)}\r\n`);
  const legacy = new LegacyWriter((s) => {
    if (!quiet) send({ stream: s });
  });
  const traceWriter = new TraceWriter((st) => send({ id: TRACE_ID, aux: st }), () => Date.now());
  const emit = (ev: BuildEvent): void => {
    if (trace) traceWriter.event(ev);
    else legacy.event(ev);
  };
  const executor = new Executor(sys, builderOf(ctx), emit);
  return executor
    .build({
      dockerfileText: text,
      dockerfileName,
      contextDir: ctxDir,
      buildArgs,
      target: q.get('target') || null,
      noCache: q.bool('nocache'),
      pull: q.bool('pull'),
      labels,
      network: network === 'bridge' ? 'default' : network,
      tags: names,
      contextIsScratch: true,
    })
    .then(
      (r) => {
        send({ aux: { ID: r.id } });
        if (!trace) legacy.finished(r.id, names, r.unusedArgs);
      },
      (err: unknown) => {
        const be = err instanceof BuildError ? err : null;
        const message = be ? (trace ? be.message : be.legacy) : errorText(err);
        if (trace) traceWriter.fail(message);
        const detail: Record<string, unknown> = { message };
        if (be && !trace && be.code !== 1) detail['code'] = be.code;
        if (be?.range) {
          detail['line'] = be.range.start;
          detail['endLine'] = be.range.end;
        }
        send({ errorDetail: detail, error: message });
      },
    )
    .finally(() => {
      removeAll(sys, ctxDir);
      res.close();
    });
};
