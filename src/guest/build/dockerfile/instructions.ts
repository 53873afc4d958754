// Stage 2 of reading a Dockerfile: nodes -> typed instructions, with each instruction's flags and
// argument count checked in Docker's words ("COPY requires at least two arguments..."), and the
// instructions grouped into stages (FROM ... AS name). Variables are still unexpanded here: their
// values depend on the build (ENV, ARG, --build-arg) and are filled in by the executor.

import { DockerfileError, suggestion } from './errors.ts';
import type { Heredoc, Node, ParsedDockerfile } from './parser.ts';

export interface Base {
  node: Node;
}

export interface FromInstruction extends Base {
  kind: 'from';
  image: string;
  /** Lower case, as Docker keeps stage names; null without AS. */
  name: string | null;
  platform: string | null;
}

/** A command in exec form (json) or shell form (one string the SHELL runs). */
export interface CommandLine {
  args: string[];
  shell: boolean;
}

export interface RunInstruction extends Base {
  kind: 'run';
  command: CommandLine;
  heredocs: Heredoc[];
  network: 'default' | 'none' | 'host' | null;
  mounts: string[];
}

export interface CmdInstruction extends Base {
  kind: 'cmd' | 'entrypoint';
  command: CommandLine;
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface EnvInstruction extends Base {
  kind: 'env' | 'label';
  pairs: KeyValue[];
}

export interface MaintainerInstruction extends Base {
  kind: 'maintainer';
  maintainer: string;
}

export interface ExposeInstruction extends Base {
  kind: 'expose';
  ports: string[];
}

export interface CopyInstruction extends Base {
  kind: 'copy' | 'add';
  sources: string[];
  dest: string;
  from: string | null;
  chown: string | null;
  chmod: string | null;
  link: boolean;
  heredocs: Heredoc[];
  checksum: string | null;
  excludes: string[];
}

export interface VolumeInstruction extends Base {
  kind: 'volume';
  paths: string[];
}

export interface StringInstruction extends Base {
  kind: 'user' | 'workdir' | 'stopsignal';
  value: string;
}

export interface ArgInstruction extends Base {
  kind: 'arg';
  args: { name: string; value: string | null }[];
}

export interface OnbuildInstruction extends Base {
  kind: 'onbuild';
  /** The trigger as written after ONBUILD ("RUN echo hi"). */
  expression: string;
}

export interface HealthConfig {
  Test: string[];
  /** Nanoseconds, as Docker's image config stores them; 0 = default. */
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

export interface HealthcheckInstruction extends Base {
  kind: 'healthcheck';
  health: HealthConfig;
}

export interface ShellInstruction extends Base {
  kind: 'shell';
  shell: string[];
}

export type Instruction =
  | RunInstruction
  | CmdInstruction
  | EnvInstruction
  | MaintainerInstruction
  | ExposeInstruction
  | CopyInstruction
  | VolumeInstruction
  | StringInstruction
  | ArgInstruction
  | OnbuildInstruction
  | HealthcheckInstruction
  | ShellInstruction;

export interface Stage {
  /** Position in the file, 0 first. */
  index: number;
  from: FromInstruction;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM: they may be used in FROM lines only. */
  metaArgs: ArgInstruction[];
  stages: Stage[];
  parsed: ParsedDockerfile;
}

export const INSTRUCTIONS = [
  'add', 'arg', 'cmd', 'copy', 'entrypoint', 'env', 'expose', 'from', 'healthcheck', 'label', 'maintainer',
  'onbuild', 'run', 'shell', 'stopsignal', 'user', 'volume', 'workdir',
] as const;

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

type FlagType = 'bool' | 'string' | 'strings';

/** An instruction's "--name=value" flags, read as Docker's BFlags reads them. */
class Flags {
  private values = new Map<string, string[]>();
  constructor(private node: Node, private known: Record<string, FlagType>) {
    for (const raw of node.flags) {
      if (!raw.startsWith('--')) throw err(node, `arg should start with -- : ${raw}`);
      const body = raw.slice(2);
      const eq = body.indexOf('=');
      const name = eq < 0 ? body : body.slice(0, eq);
      const value = eq < 0 ? null : body.slice(eq + 1);
      const type = Object.prototype.hasOwnProperty.call(known, name) ? known[name] : undefined;
      if (!type) throw err(node, `unknown flag: ${name}${suggestion(name, Object.keys(known), true)}`);
      const prev = this.values.get(name);
      if (prev && type !== 'strings') throw err(node, `duplicate flag specified: ${name}`);
      if (type === 'bool') {
        if (value === '') throw err(node, `missing a value on flag: ${name}`);
        const v = (value ?? 'true').toLowerCase();
        if (v !== 'true' && v !== 'false') throw err(node, `expecting boolean value for flag ${name}, not: ${value}`);
        this.values.set(name, [v]);
      } else {
        if (value === null) throw err(node, `missing a value on flag: ${name}`);
        this.values.set(name, [...(prev ?? []), value]);
      }
    }
  }
  string(name: string): string | null {
    return this.values.get(name)?.[0] ?? null;
  }
  strings(name: string): string[] {
    return this.values.get(name) ?? [];
  }
  bool(name: string): boolean {
    return this.values.get(name)?.[0] === 'true';
  }
}

function err(node: Node, message: string): DockerfileError {
  return new DockerfileError(message, { start: node.startLine, end: node.endLine });
}

const name = (node: Node): string => node.cmd.toUpperCase();

function atLeastOne(node: Node): void {
  if (node.args.length === 0) throw err(node, `${name(node)} requires at least one argument`);
}

function exactlyOne(node: Node): string {
  if (node.args.length !== 1) throw err(node, `${name(node)} requires exactly one argument`);
  return node.args[0]!;
}

function commandLine(node: Node): CommandLine {
  return { args: [...node.args], shell: !node.json };
}

/** Go's time.ParseDuration, to nanoseconds. */
export function parseDuration(s: string): number | null {
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  const units: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let body = s;
  let sign = 1;
  if (body.startsWith('-') || body.startsWith('+')) {
    sign = body.startsWith('-') ? -1 : 1;
    body = body.slice(1);
  }
  if (body === '') return null;
  let total = 0;
  let at = 0;
  re.lastIndex = 0;
  for (;;) {
    const m = re.exec(body);
    if (!m) break;
    total += Number(m[1]) * units[m[2]!]!;
    at = re.lastIndex;
  }
  if (at !== body.length) return null;
  return Math.round(sign * total);
}

function interval(node: Node, flags: Flags, flag: string): number | undefined {
  const v = flags.string(flag);
  if (v === null || v === '') return undefined;
  const d = parseDuration(v);
  if (d === null) throw err(node, `time: invalid duration "${v}"`);
  if (d === 0) return undefined;
  if (d < 0) throw err(node, `Interval "${flag}" cannot be negative`);
  if (d < 1e6) throw err(node, `Interval "${flag}" cannot be less than 1ms`);
  return d;
}

/** One instruction node -> a typed instruction (FROM gives a FromInstruction). */
export function parseInstruction(node: Node): Instruction | FromInstruction {
  switch (node.cmd) {
    case 'from': {
      const flags = new Flags(node, { platform: 'string' });
      const a = node.args;
      let stageName: string | null = null;
      if (a.length === 3 && a[1]!.toLowerCase() === 'as') {
        stageName = a[2]!.toLowerCase();
        if (!STAGE_NAME.test(stageName)) throw err(node, `invalid name for build stage: "${a[2]}", name can't start with a number or contain symbols`);
      } else if (a.length !== 1) throw err(node, 'FROM requires either one or three arguments');
      return { kind: 'from', node, image: a[0]!, name: stageName, platform: flags.string('platform') };
    }
    case 'run': {
      const flags = new Flags(node, { mount: 'strings', network: 'string', security: 'string' });
      if (node.args.length === 0 && node.heredocs.length === 0) throw err(node, 'RUN requires at least one argument');
      const net = flags.string('network');
      if (net !== null && net !== 'default' && net !== 'none' && net !== 'host') throw err(node, `unsupported network mode "${net}"`);
      return { kind: 'run', node, command: commandLine(node), heredocs: node.heredocs, network: net as RunInstruction['network'], mounts: flags.strings('mount') };
    }
    case 'cmd':
    case 'entrypoint':
      new Flags(node, {});
      return { kind: node.cmd, node, command: commandLine(node) };
    case 'env':
    case 'label': {
      new Flags(node, {});
      if (node.args.length === 0) throw err(node, `${name(node)} requires at least one argument`);
      const pairs: KeyValue[] = [];
      for (let i = 0; i < node.args.length; i += 2) {
        const key = node.args[i]!;
        if (key === '') throw err(node, `${name(node)} names can not be blank`);
        pairs.push({ key, value: node.args[i + 1] ?? '' });
      }
      return { kind: node.cmd, node, pairs };
    }
    case 'maintainer':
      new Flags(node, {});
      return { kind: 'maintainer', node, maintainer: exactlyOne(node) };
    case 'expose':
      new Flags(node, {});
      atLeastOne(node);
      return { kind: 'expose', node, ports: [...node.args] };
    case 'add':
    case 'copy': {
      const known: Record<string, FlagType> =
        node.cmd === 'copy'
          ? { from: 'string', chown: 'string', chmod: 'string', link: 'bool', parents: 'bool', exclude: 'strings' }
          : { chown: 'string', chmod: 'string', link: 'bool', 'keep-git-dir': 'bool', checksum: 'string', exclude: 'strings' };
      const flags = new Flags(node, known);
      if (node.args.length < 2) throw err(node, `${name(node)} requires at least two arguments, but only one was provided. Destination could not be determined`);
      const chmod = flags.string('chmod');
      if (chmod !== null && !/^[0-7]{1,4}$/.test(chmod)) throw err(node, `invalid chmod parameter: ${chmod}. it should be octal string and between 0 and 07777`);
      return {
        kind: node.cmd,
        node,
        sources: node.args.slice(0, -1),
        dest: node.args[node.args.length - 1]!,
        from: node.cmd === 'copy' ? flags.string('from') : null,
        chown: flags.string('chown'),
        chmod,
        link: flags.bool('link'),
        heredocs: node.heredocs,
        checksum: node.cmd === 'add' ? flags.string('checksum') : null,
        excludes: flags.strings('exclude'),
      };
    }
    case 'volume': {
      new Flags(node, {});
      atLeastOne(node);
      for (const p of node.args) if (p.trim() === '') throw err(node, 'VOLUME specified can not be an empty string');
      return { kind: 'volume', node, paths: [...node.args] };
    }
    case 'user':
    case 'workdir':
    case 'stopsignal':
      new Flags(node, {});
      return { kind: node.cmd, node, value: exactlyOne(node) };
    case 'arg': {
      new Flags(node, {});
      atLeastOne(node);
      const args = node.args.map((w) => {
        const eq = w.indexOf('=');
        if (eq === 0) throw err(node, 'ARG names can not be blank');
        return eq < 0 ? { name: w, value: null } : { name: w.slice(0, eq), value: w.slice(eq + 1) };
      });
      return { kind: 'arg', node, args };
    }
    case 'onbuild': {
      new Flags(node, {});
      const child = node.child;
      if (!child) throw err(node, 'ONBUILD requires at least one argument');
      if (child.cmd === 'onbuild') throw err(node, 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
      if (child.cmd === 'from' || child.cmd === 'maintainer') throw err(node, `${child.cmd.toUpperCase()} isn't allowed as an ONBUILD trigger`);
      parseInstruction(child);
      const expression = node.original.trim().replace(/^\S+\s+/, '');
      return { kind: 'onbuild', node, expression };
    }
    case 'healthcheck': {
      if (node.args.length === 0) throw err(node, 'HEALTHCHECK requires at least one argument');
      const type = node.args[0]!.toUpperCase();
      const rest = node.args.slice(1);
      if (type === 'NONE') {
        new Flags(node, {});
        if (rest.length !== 0) throw err(node, 'HEALTHCHECK NONE takes no arguments');
        return { kind: 'healthcheck', node, health: { Test: ['NONE'] } };
      }
      const flags = new Flags(node, { interval: 'string', timeout: 'string', 'start-period': 'string', 'start-interval': 'string', retries: 'string' });
      if (type !== 'CMD') throw err(node, `Unknown type "${type}" in HEALTHCHECK (try CMD)`);
      if (rest.length === 0 || (rest.length === 1 && rest[0] === '')) throw err(node, 'Missing command after HEALTHCHECK CMD');
      const health: HealthConfig = { Test: [node.json ? 'CMD' : 'CMD-SHELL', ...rest] };
      const i = interval(node, flags, 'interval');
      const t = interval(node, flags, 'timeout');
      const sp = interval(node, flags, 'start-period');
      const si = interval(node, flags, 'start-interval');
      if (i !== undefined) health.Interval = i;
      if (t !== undefined) health.Timeout = t;
      if (sp !== undefined) health.StartPeriod = sp;
      if (si !== undefined) health.StartInterval = si;
      const r = flags.string('retries');
      if (r !== null && r !== '') {
        if (!/^[+-]?\d+$/.test(r)) throw err(node, `strconv.ParseInt: parsing "${r}": invalid syntax`);
        const n = Number(r);
        if (n < 0) throw err(node, `--retries cannot be negative (${n})`);
        if (n > 0) health.Retries = n;
      }
      return { kind: 'healthcheck', node, health };
    }
    case 'shell':
      new Flags(node, {});
      if (node.args.length === 0) throw err(node, 'SHELL requires at least one argument');
      if (!node.json) throw err(node, 'SHELL requires the arguments to be in JSON form');
      return { kind: 'shell', node, shell: [...node.args] };
    default:
      throw err(node, `unknown instruction: ${node.keyword.toUpperCase()}${suggestion(node.cmd, INSTRUCTIONS)}`);
  }
}

/** All of a file's instructions, checked and grouped into stages. */
export function toStages(parsed: ParsedDockerfile): Dockerfile {
  const metaArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  const names = new Set<string>();
  for (const node of parsed.nodes) {
    const ins = parseInstruction(node);
    if (ins.kind === 'from') {
      if (ins.name !== null) {
        if (names.has(ins.name)) throw err(node, `duplicate stage name "${ins.name}"`);
        names.add(ins.name);
      }
      stages.push({ index: stages.length, from: ins, instructions: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) {
      if (ins.kind === 'arg') {
        metaArgs.push(ins);
        continue;
      }
      throw new DockerfileError('no build stage in current context', { start: node.startLine, end: node.endLine }, false);
    }
    stage.instructions.push(ins);
  }
  if (parsed.nodes.length === 0) throw new DockerfileError('file with no instructions', null, false);
  if (stages.length === 0) throw new DockerfileError('dockerfile contains no stages to build', null, false);
  return { metaArgs, stages, parsed };
}

/** The stage a build ends with: --target's, else the last. */
export function targetStage(df: Dockerfile, target: string | null): Stage {
  if (target === null || target === '') return df.stages[df.stages.length - 1]!;
  const t = target.toLowerCase();
  const s = df.stages.find((st) => st.from.name === t);
  if (!s) throw new DockerfileError(`target stage "${target}" could not be found`, null, false);
  return s;
}

/** A stage named or numbered by FROM <name> or COPY --from=<name|index>, before stage `before`. */
export function findStage(df: Dockerfile, ref: string, before: number): Stage | null {
  const r = ref.toLowerCase();
  if (/^\d+$/.test(r)) {
    const i = Number(r);
    if (i >= before) {
      const msg = i === before ? `invalid from flag value ${ref}: refers to current build stage` : `invalid from flag value ${ref}: refers to a stage that has not been built yet`;
      throw new DockerfileError(msg, null, false);
    }
    return df.stages[i] ?? null;
  }
  return df.stages.slice(0, before).find((s) => s.from.name === r) ?? null;
}

export function readDockerfile(parsed: ParsedDockerfile): Dockerfile {
  return toStages(parsed);
}
