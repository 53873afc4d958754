// What each instruction does to the image being built, without running anything: variable
// expansion with the stage's ENV and ARG values, the image config changes of the metadata
// instructions (ENV, LABEL, CMD, ...), the argv and environment of a RUN, and the history line
// each instruction leaves (`docker history` shows them). Pure functions over plain data, so the
// rules are unit-tested in Node; executor.ts does the running and committing.

import type { HistoryEntry, ImageConfig, ImageConfigBody } from '../../images/oci.ts';
import { DockerfileError } from '../dockerfile/errors.ts';
import type { ArgInstruction, CommandLine, Instruction, KeyValue } from '../dockerfile/instructions.ts';
import { ExpandError, ShellLex, type Env } from '../dockerfile/shell.ts';

export const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** Build args every Dockerfile may use without declaring them (proxies), kept out of history. */
export const PREDEFINED_ARGS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

/** BuildKit's automatic platform args: global, and visible in a stage after a bare ARG NAME. */
export const PLATFORM_ARGS: Record<string, string> = {
  TARGETPLATFORM: 'linux/386',
  TARGETOS: 'linux',
  TARGETARCH: '386',
  TARGETVARIANT: '',
  BUILDPLATFORM: 'linux/386',
  BUILDOS: 'linux',
  BUILDARCH: '386',
  BUILDVARIANT: '',
};

export interface StageState {
  /** The image as built so far: config, rootfs and history. */
  image: ImageConfig;
  /** ARGs declared in this stage (in order), with their values. */
  args: Map<string, string>;
  /** Build args and meta args as given to the build. */
  buildArgs: ReadonlyMap<string, string>;
  globalArgs: ReadonlyMap<string, string>;
  escape: string;
  /** A CMD was set in this stage (ENTRYPOINT then keeps it; an inherited CMD it drops). */
  cmdSet: boolean;
}

export function emptyImage(): ImageConfig {
  return { architecture: '386', os: 'linux', config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] }, rootfs: { type: 'layers', diff_ids: [] }, history: [] };
}

export function cloneImage(c: ImageConfig): ImageConfig {
  return JSON.parse(JSON.stringify(c)) as ImageConfig;
}

/** The environment variables are expanded with: the image's ENV, then ARGs that ENV does not set. */
export function expansionEnv(s: StageState): Map<string, string> {
  const env = new Map<string, string>();
  for (const [k, v] of s.args) env.set(k, v);
  for (const e of s.image.config?.Env ?? []) {
    const eq = e.indexOf('=');
    if (eq > 0) env.set(e.slice(0, eq), e.slice(eq + 1));
  }
  return env;
}

export function lexer(s: StageState): ShellLex {
  return new ShellLex({ escape: s.escape });
}

/** Expands one word, reporting expansion errors at the instruction's line. */
export function expandWord(s: StageState, word: string, ins: Instruction, env: Env = expansionEnv(s)): string {
  try {
    return lexer(s).processWord(word, env);
  } catch (e) {
    if (e instanceof ExpandError) throw new DockerfileError(e.message, { start: ins.node.startLine, end: ins.node.endLine }, false);
    throw e;
  }
}

function setEnv(body: ImageConfigBody, key: string, value: string): void {
  const env = body.Env ?? [];
  const i = env.findIndex((e) => e.slice(0, e.indexOf('=')) === key);
  if (i >= 0) env[i] = `${key}=${value}`;
  else env.push(`${key}=${value}`);
  body.Env = env;
}

/** The shell a shell-form command runs under. */
export function shellOf(s: StageState): string[] {
  return s.image.config?.Shell ?? DEFAULT_SHELL;
}

/** argv for CMD/ENTRYPOINT/RUN/HEALTHCHECK command lines. */
export function argvOf(s: StageState, c: CommandLine): string[] {
  return c.shell ? [...shellOf(s), c.args.join(' ')] : [...c.args];
}

/** ARG values a RUN sees (declared in the stage, not shadowed by ENV), as NAME=value. */
export function runArgs(s: StageState): string[] {
  const envKeys = new Set((s.image.config?.Env ?? []).map((e) => e.slice(0, e.indexOf('='))));
  const out: string[] = [];
  for (const [k, v] of s.args) if (!envKeys.has(k)) out.push(`${k}=${v}`);
  // proxies pass through without a declaration, as Docker does (they stay out of the history)
  for (const k of PREDEFINED_ARGS) if (!s.args.has(k) && s.buildArgs.has(k)) out.push(`${k}=${s.buildArgs.get(k)!}`);
  return out;
}

/** The environment of a RUN's container: the image's ENV plus the ARGs. */
export function runEnv(s: StageState): string[] {
  return [...(s.image.config?.Env ?? []), ...runArgs(s)];
}

/** "|2 A=1 B=2 " as the history of a RUN shows the declared ARGs it ran with. */
function argsPrefix(s: StageState): string {
  const envKeys = new Set((s.image.config?.Env ?? []).map((e) => e.slice(0, e.indexOf('='))));
  const pairs = [...s.args].filter(([k]) => !envKeys.has(k)).map(([k, v]) => `${k}=${v}`);
  return pairs.length ? `|${pairs.length} ${pairs.join(' ')} ` : '';
}

export function history(createdBy: string, created: string, emptyLayer: boolean): HistoryEntry {
  const h: HistoryEntry = { created, created_by: createdBy, comment: 'buildkit.dockerfile.v0' };
  if (emptyLayer) h.empty_layer = true;
  return h;
}

/** The history line of a RUN: "RUN |1 V=2 /bin/sh -c make # buildkit". */
export function runHistory(s: StageState, argv: string[], shellForm: boolean): string {
  const cmd = shellForm ? argv.join(' ') : JSON.stringify(argv);
  return `RUN ${argsPrefix(s)}${cmd} # buildkit`;
}

/** Expanded key/value pairs; values see the environment from before the instruction. */
function expandPairs(s: StageState, ins: Instruction, pairs: KeyValue[]): KeyValue[] {
  const env = expansionEnv(s);
  return pairs.map((p) => ({ key: expandWord(s, p.key, ins, env), value: expandWord(s, p.value, ins, env) }));
}

const quoteIfNeeded = (v: string): string => (/[\s"'\\]/.test(v) || v === '' ? JSON.stringify(v) : v);

export interface Effect {
  state: StageState;
  /** What `docker history` shows for it. */
  createdBy: string;
}

/** Applies an ARG: declared values come from --build-arg, else the default, else the global ARG. */
export function applyArg(s: StageState, ins: ArgInstruction): StageState {
  const args = new Map(s.args);
  const env = expansionEnv(s);
  for (const a of ins.args) {
    let value: string | undefined;
    if (s.buildArgs.has(a.name)) value = s.buildArgs.get(a.name);
    else if (a.value !== null) value = expandWord(s, a.value, ins, env);
    else if (s.globalArgs.has(a.name)) value = s.globalArgs.get(a.name);
    else if (a.name in PLATFORM_ARGS) value = PLATFORM_ARGS[a.name];
    if (value !== undefined) args.set(a.name, value);
    else args.delete(a.name);
    if (value !== undefined) env.set(a.name, value);
  }
  return { ...s, args };
}

/**
 * Applies an instruction that only changes the image config (everything but RUN, COPY and ADD).
 * `now` is the history entry's time.
 */
export function applyMetadata(s: StageState, ins: Instruction): Effect {
  const image = cloneImage(s.image);
  const body: ImageConfigBody = (image.config ??= {});
  const next = (createdBy: string): Effect => ({ state: { ...s, image }, createdBy });
  switch (ins.kind) {
    case 'env': {
      const pairs = expandPairs(s, ins, ins.pairs);
      for (const p of pairs) setEnv(body, p.key, p.value);
      return next(`ENV ${pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`);
    }
    case 'label': {
      const pairs = expandPairs(s, ins, ins.pairs);
      body.Labels = { ...(body.Labels ?? {}) };
      for (const p of pairs) body.Labels[p.key] = p.value;
      return next(`LABEL ${pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`);
    }
    case 'maintainer':
      image.author = ins.maintainer;
      return next(`MAINTAINER ${ins.maintainer}`);
    case 'cmd': {
      body.Cmd = argvOf(s, ins.command);
      if (ins.command.shell) body.ArgsEscaped = true;
      return { state: { ...s, image, cmdSet: true }, createdBy: `CMD ${JSON.stringify(body.Cmd)}` };
    }
    case 'entrypoint': {
      const argv = ins.command.shell && ins.command.args.length === 0 ? [] : argvOf(s, ins.command);
      body.Entrypoint = argv.length ? argv : null;
      // a new ENTRYPOINT drops a CMD inherited from the base image (not one set in this file before it)
      if (!s.cmdSet) body.Cmd = null;
      if (ins.command.shell) body.ArgsEscaped = true;
      return next(`ENTRYPOINT ${JSON.stringify(argv)}`);
    }
    case 'expose': {
      const env = expansionEnv(s);
      const ports = ins.ports.flatMap((p) => expandWord(s, p, ins, env).split(/\s+/)).filter((p) => p !== '');
      body.ExposedPorts = { ...(body.ExposedPorts ?? {}) };
      for (const p of ports) {
        const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(p);
        if (!m) throw new DockerfileError(`invalid containerPort: ${p.split('/')[0]}`, { start: ins.node.startLine, end: ins.node.endLine }, false);
        const lo = Number(m[1]);
        const hi = m[2] ? Number(m[2]) : lo;
        const proto = (m[3] ?? 'tcp').toLowerCase();
        for (let n = lo; n <= hi; n++) body.ExposedPorts[`${n}/${proto}`] = {};
      }
      return next(`EXPOSE ${ports.map((p) => (p.includes('/') ? p : `${p}/tcp`)).join(' ')}`);
    }
    case 'volume': {
      const env = expansionEnv(s);
      const paths = ins.paths.map((p) => expandWord(s, p, ins, env));
      body.Volumes = { ...(body.Volumes ?? {}) };
      for (const p of paths) {
        if (p.trim() === '') throw new DockerfileError('VOLUME specified can not be an empty string', { start: ins.node.startLine, end: ins.node.endLine }, false);
        body.Volumes[p] = {};
      }
      return next(`VOLUME ${JSON.stringify(paths)}`);
    }
    case 'user': {
      body.User = expandWord(s, ins.value, ins);
      return next(`USER ${body.User}`);
    }
    case 'workdir': {
      const dir = expandWord(s, ins.value, ins);
      body.WorkingDir = resolveWorkdir(body.WorkingDir ?? '', dir);
      return next(`WORKDIR ${body.WorkingDir}`);
    }
    case 'stopsignal': {
      body.StopSignal = expandWord(s, ins.value, ins);
      return next(`STOPSIGNAL ${body.StopSignal}`);
    }
    case 'healthcheck': {
      body.Healthcheck = { ...ins.health };
      if (ins.health.Test[0] === 'NONE') return next('HEALTHCHECK NONE');
      return next(`HEALTHCHECK &{${JSON.stringify(ins.health.Test)} ${fmtNs(ins.health.Interval)} ${fmtNs(ins.health.Timeout)} ${fmtNs(ins.health.StartPeriod)} ${fmtNs(ins.health.StartInterval)} ${ins.health.Retries ?? 0}}`);
    }
    case 'onbuild':
      body.OnBuild = [...(body.OnBuild ?? []), ins.expression];
      return next(`ONBUILD ${ins.expression}`);
    case 'shell':
      body.Shell = [...ins.shell];
      return next(`SHELL ${JSON.stringify(ins.shell)}`);
    case 'arg': {
      const st = applyArg(s, ins);
      const shown = ins.args.map((a) => (st.args.has(a.name) && a.value !== null ? `${a.name}=${quoteIfNeeded(a.value)}` : a.name));
      return { state: { ...st, image }, createdBy: `ARG ${shown.join(' ')}` };
    }
    default:
      throw new Error(`${ins.kind} is not a metadata instruction`);
  }
}

function fmtNs(ns: number | undefined): string {
  if (!ns) return '0s';
  if (ns % 1e9 === 0) {
    let sec = ns / 1e9;
    const h = Math.floor(sec / 3600);
    sec -= h * 3600;
    const m = Math.floor(sec / 60);
    sec -= m * 60;
    return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${sec}s`;
  }
  return `${ns / 1e6}ms`;
}

/** WORKDIR relative to the previous one, cleaned. */
export function resolveWorkdir(current: string, dir: string): string {
  const joined = dir.startsWith('/') ? dir : `${current || '/'}/${dir}`;
  const out: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/** The state a stage starts from: its base image, with the args of FROM's scope. */
export function stageStart(base: ImageConfig, buildArgs: ReadonlyMap<string, string>, globalArgs: ReadonlyMap<string, string>, escape: string): StageState {
  const image = cloneImage(base);
  image.history = image.history ?? [];
  image.config = image.config ?? {};
  return { image, args: new Map(), buildArgs, globalArgs, escape, cmdSet: false };
}

/** Global ARG values (before the first FROM) with --build-arg overrides and the platform args. */
export function globalArgs(metaArgs: ArgInstruction[], buildArgs: ReadonlyMap<string, string>, escape: string): Map<string, string> {
  const g = new Map<string, string>(Object.entries(PLATFORM_ARGS));
  const lex = new ShellLex({ escape });
  for (const ins of metaArgs) {
    for (const a of ins.args) {
      let v: string | undefined;
      if (buildArgs.has(a.name)) v = buildArgs.get(a.name);
      else if (a.value !== null) {
        try {
          v = lex.processWord(a.value, g);
        } catch (e) {
          if (e instanceof ExpandError) throw new DockerfileError(e.message, { start: ins.node.startLine, end: ins.node.endLine }, false);
          throw e;
        }
      }
      if (v !== undefined) g.set(a.name, v);
    }
  }
  return g;
}

/** FROM's image name with the global ARGs expanded. */
export function expandFrom(image: string, g: ReadonlyMap<string, string>, escape: string, ins: { node: { startLine: number; endLine: number } }): string {
  try {
    const v = new ShellLex({ escape }).processWord(image, g);
    if (v === '') throw new DockerfileError(`base name (${image}) should not be blank`, { start: ins.node.startLine, end: ins.node.endLine }, false);
    return v;
  } catch (e) {
    if (e instanceof ExpandError) throw new DockerfileError(e.message, { start: ins.node.startLine, end: ins.node.endLine }, false);
    throw e;
  }
}
