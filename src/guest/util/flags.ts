// Command-line flags as the Docker CLI (cobra + pflag) parses them: --name value, --name=value,
// -n value, -nvalue, combined booleans (-dit), `--` ends flags, and for commands like `run` the
// first positional argument ends flag parsing (the container's own arguments follow).

import { DurationError, parseGoDuration } from './duration.ts';

export type FlagKind = 'bool' | 'string' | 'list' | 'int' | 'duration';

export interface FlagSpec {
  name: string;
  short?: string;
  kind: FlagKind;
  help: string;
  /** Shown in help after the name, e.g. "string", "list", "bytes". */
  valueName?: string;
  default?: string | number | boolean;
  hidden?: boolean;
}

export interface CommandSpec {
  /** "docker run" */
  path: string;
  /** "[OPTIONS] IMAGE [COMMAND] [ARG...]" */
  usage: string;
  description: string;
  flags: FlagSpec[];
  /** false: flags stop at the first positional argument (run, exec, create). */
  interspersed?: boolean;
  minArgs?: number;
  maxArgs?: number;
}

export type FlagValue = string | number | boolean | string[];

export class ParsedFlags {
  constructor(
    private values: Map<string, FlagValue>,
    private set: Set<string>,
  ) {}
  bool(name: string): boolean {
    return this.values.get(name) === true;
  }
  string(name: string): string {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : '';
  }
  int(name: string): number {
    const v = this.values.get(name);
    return typeof v === 'number' ? v : 0;
  }
  /** A duration flag's value in nanoseconds. */
  duration(name: string): number {
    return this.int(name);
  }
  list(name: string): string[] {
    const v = this.values.get(name);
    return Array.isArray(v) ? v : [];
  }
  /** True when the user gave the flag (even with its default value). */
  changed(name: string): boolean {
    return this.set.has(name);
  }
}

/** A usage error: Docker prints it, the usage line and a help hint, and exits 125. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly spec: CommandSpec,
    readonly exitCode = 125,
    /** The docker CLI still ends its "requires at least N" errors with "See", all others with "Run". */
    private readonly hintVerb: 'Run' | 'See' = 'Run',
  ) {
    super(message);
  }
  /** The text Docker prints on stderr. */
  render(): string {
    if (this.exitCode === 125) {
      return `${this.message}\n\nUsage:  ${this.spec.path} ${this.spec.usage}\n\nRun '${this.spec.path} --help' for more information\n`;
    }
    return `docker: ${this.message}\n\nUsage:  ${this.spec.path} ${this.spec.usage}\n\n${this.hintVerb} '${this.spec.path} --help' for more information\n`;
  }
}

export interface Parsed {
  flags: ParsedFlags;
  args: string[];
  help: boolean;
}

function parseInt10(spec: CommandSpec, flag: string, v: string): number {
  if (!/^-?\d+$/.test(v)) throw new UsageError(`invalid argument "${v}" for "${flag}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`, spec);
  return Number(v);
}

export function parseFlags(spec: CommandSpec, argv: readonly string[]): Parsed {
  const values = new Map<string, FlagValue>();
  const set = new Set<string>();
  // one pass, no [key, value] pairs: docker run has about a hundred flags, and each command pays
  // for this table before it does anything (QuickJS on the guest's emulated CPU)
  const byName = new Map<string, FlagSpec>();
  const byShort = new Map<string, FlagSpec>();
  for (const f of spec.flags) {
    byName.set(f.name, f);
    if (f.short) byShort.set(f.short, f);
    if (f.kind === 'list') values.set(f.name, []);
    else if (f.default !== undefined) values.set(f.name, f.default);
    else values.set(f.name, f.kind === 'bool' ? false : f.kind === 'int' || f.kind === 'duration' ? 0 : '');
  }
  const args: string[] = [];
  let help = false;

  const assign = (f: FlagSpec, raw: string, shown: string): void => {
    set.add(f.name);
    switch (f.kind) {
      case 'bool':
        if (!/^(true|false|1|0|t|f|TRUE|FALSE|True|False)$/.test(raw)) {
          throw new UsageError(`invalid argument "${raw}" for "${shown}" flag: strconv.ParseBool: parsing "${raw}": invalid syntax`, spec);
        }
        values.set(f.name, /^(true|1|t|TRUE|True)$/.test(raw));
        break;
      case 'string':
        values.set(f.name, raw);
        break;
      case 'int':
        values.set(f.name, parseInt10(spec, shown, raw));
        break;
      case 'list':
        (values.get(f.name) as string[]).push(raw);
        break;
      case 'duration':
        try {
          values.set(f.name, parseGoDuration(raw));
        } catch (e) {
          if (!(e instanceof DurationError)) throw e;
          throw new UsageError(`invalid argument "${raw}" for "${shown}" flag: ${e.message}`, spec);
        }
        break;
    }
  };

  let i = 0;
  while (i < argv.length) {
    const a = argv[i]!;
    i++;
    if (a === '--') {
      args.push(...argv.slice(i));
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (name === 'help') {
        help = true;
        continue;
      }
      const f = byName.get(name);
      if (!f) throw new UsageError(`unknown flag: --${name}`, spec);
      if (eq >= 0) assign(f, a.slice(eq + 1), `--${name}`);
      else if (f.kind === 'bool') assign(f, 'true', `--${name}`);
      else {
        if (i >= argv.length) throw new UsageError(`flag needs an argument: --${name}`, spec);
        assign(f, argv[i]!, `--${name}`);
        i++;
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      // a cluster of shorthands: -dit, -e FOO, -eFOO, -p=80
      let k = 1;
      while (k < a.length) {
        const c = a[k]!;
        const f = byShort.get(c);
        if (!f) {
          if (c === 'h') {
            help = true;
            k++;
            continue;
          }
          throw new UsageError(`unknown shorthand flag: '${c}' in ${a}`, spec);
        }
        const shown = `-${c}, --${f.name}`;
        if (f.kind === 'bool') {
          if (a[k + 1] === '=') {
            assign(f, a.slice(k + 2), shown);
            break;
          }
          assign(f, 'true', shown);
          k++;
          continue;
        }
        let rest = a.slice(k + 1);
        // as pflag: -e=x is "x", but a lone "-e=" is the value "="
        if (rest.startsWith('=') && rest.length > 1) rest = rest.slice(1);
        if (rest !== '') assign(f, rest, shown);
        else {
          if (i >= argv.length) throw new UsageError(`flag needs an argument: '${c}' in -${c}`, spec);
          assign(f, argv[i]!, shown);
          i++;
        }
        break;
      }
      continue;
    }
    args.push(a);
    if (spec.interspersed === false) {
      args.push(...argv.slice(i));
      break;
    }
  }
  if (!help) checkArgCount(spec, args);
  return { flags: new ParsedFlags(values, set), args, help };
}

function checkArgCount(spec: CommandSpec, args: string[]): void {
  const plural = (n: number): string => (n === 1 ? 'argument' : 'arguments');
  const { minArgs, maxArgs } = spec;
  if (minArgs !== undefined && maxArgs === minArgs && args.length !== minArgs) {
    throw new UsageError(`'${spec.path}' requires ${minArgs} ${plural(minArgs)}`, spec, 1);
  }
  if (minArgs !== undefined && maxArgs !== undefined && maxArgs > minArgs && (args.length < minArgs || args.length > maxArgs)) {
    throw new UsageError(`'${spec.path}' requires at least ${minArgs} and at most ${maxArgs} ${plural(maxArgs)}`, spec, 1);
  }
  if (minArgs !== undefined && args.length < minArgs) {
    throw new UsageError(`'${spec.path}' requires at least ${minArgs} ${plural(minArgs)}`, spec, 1, 'See');
  }
  if (maxArgs !== undefined && args.length > maxArgs) {
    if (maxArgs === 0) throw new UsageError(`'${spec.path}' accepts no arguments`, spec, 1);
    throw new UsageError(`'${spec.path}' requires at most ${maxArgs} ${plural(maxArgs)}`, spec, 1);
  }
}

/** The --help text, in the layout of Docker's. */
export function helpText(spec: CommandSpec): string {
  const rows = spec.flags
    .filter((f) => !f.hidden)
    .map((f) => {
      const value = f.kind === 'bool' ? '' : ` ${f.valueName ?? f.kind}`;
      const left = f.short ? `  -${f.short}, --${f.name}${value}` : `      --${f.name}${value}`;
      return [left, f.help] as const;
    });
  const w = Math.max(0, ...rows.map(([l]) => l.length)) + 3;
  const opts = rows.map(([l, h]) => l.padEnd(w) + h).join('\n');
  return `\nUsage:  ${spec.path} ${spec.usage}\n\n${spec.description}\n${opts ? `\nOptions:\n${opts}\n` : ''}`;
}
