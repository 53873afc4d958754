// Load stage: finds the Compose files (compose.yaml ... docker-compose.yml in the working
// folder or a parent, plus compose.override.yaml; or -f / COMPOSE_FILE), reads .env or
// --env-file, parses YAML (syntax errors with line and column), then runs the other stages per
// file (interpolate, validate) and for the project (merge, normalize, validate), as compose-go.

import { LineCounter, parseDocument } from 'yaml';
import { ComposeError } from './errors.ts';
import { parseDotenv } from './dotenv.ts';
import { interpolateTree } from './interpolate.ts';
import { mergeFiles } from './merge.ts';
import type { Project } from './model.ts';
import { normalizeProject } from './normalize.ts';
import { validateFile, validateProject } from './validate.ts';
import { basename, dirname, resolve } from '../util/path.ts';

export const FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const OVERRIDE_NAMES = ['compose.override.yaml', 'compose.override.yml', 'docker-compose.override.yaml', 'docker-compose.override.yml'];

/** What loading reads from the machine: files and the environment. */
export interface LoadHost {
  cwd: string;
  env: Record<string, string>;
  /** A file's text, or null when there is none. */
  readFile(path: string): string | null;
  /** A `WARN[0000] ...` line (Compose's logrus format) on stderr. */
  warn(message: string): void;
}

export interface LoadOptions {
  /** -f, in order. */
  files?: string[];
  /** -p */
  projectName?: string;
  /** --project-directory */
  projectDirectory?: string;
  /** --env-file, in order (replaces .env). */
  envFiles?: string[];
  /** --profile */
  profiles?: string[];
  /** Services named on the command line (enabled whatever their profiles). */
  enable?: string[];
}

const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

export function normalizeProjectName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[_-]+/, '');
}

function checkProjectName(name: string): string {
  if (!PROJECT_NAME.test(name)) {
    throw new ComposeError(`invalid project name "${name}": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`);
  }
  return name;
}

/** The files to load: -f, COMPOSE_FILE, or the first known name here or in a parent folder. */
export function discoverFiles(host: LoadHost, opts: LoadOptions, env: Record<string, string>): string[] {
  const given = opts.files?.length ? opts.files : env['COMPOSE_FILE'] ? env['COMPOSE_FILE'].split(env['COMPOSE_PATH_SEPARATOR'] ?? ':').filter(Boolean) : [];
  if (given.length) {
    const base = opts.projectDirectory ? resolve(host.cwd, opts.projectDirectory) : host.cwd;
    return given.map((f) => resolve(opts.files?.length ? host.cwd : base, f));
  }
  for (let dir = host.cwd; ; dir = dirname(dir)) {
    const found = FILE_NAMES.map((n) => `${dir === '/' ? '' : dir}/${n}`).filter((p) => host.readFile(p) !== null);
    if (found.length) {
      if (found.length > 1) host.warn(`Found multiple config files with supported names: ${found.join(', ')}\nWARN[0000] Using ${found[0]}`);
      const override = OVERRIDE_NAMES.map((n) => `${dir === '/' ? '' : dir}/${n}`).find((p) => host.readFile(p) !== null);
      return override ? [found[0]!, override] : [found[0]!];
    }
    if (dir === '/') break;
  }
  throw new ComposeError('no configuration file provided: not found');
}

/** A YAML document as plain data; a syntax error names the file, line and column. */
export function parseYaml(text: string, file: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0] ?? lineCounter.linePos(err.pos[0]);
    const what = err.code === 'DUPLICATE_KEY' ? `mapping key ${JSON.stringify(keyAt(text, err.pos[0]))} already defined` : err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ComposeError(`parsing ${file}: yaml: line ${pos.line}, column ${pos.col}: ${what}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new ComposeError(`parsing ${file}: yaml: ${(e as Error).message}`);
  }
}

function keyAt(text: string, pos: number): string {
  return /^["']?([^"':\n]*)/.exec(text.slice(pos))?.[1] ?? '';
}

/** The environment interpolation sees: .env (or --env-file) under the shell's own variables. */
export function projectEnvironment(host: LoadHost, opts: LoadOptions, dir: string): Record<string, string> {
  const files = opts.envFiles?.length ? opts.envFiles.map((f) => resolve(host.cwd, f)) : [`${dir}/.env`];
  const fromFiles: Record<string, string> = {};
  for (const f of files) {
    const text = host.readFile(f);
    if (text === null) {
      if (opts.envFiles?.length) throw new ComposeError(`couldn't find env file: ${f}`);
      continue;
    }
    const vars = parseDotenv(text, f, (n) => host.env[n] ?? fromFiles[n]);
    for (const [k, v] of Object.entries(vars)) if (v !== null) fromFiles[k] = v;
  }
  return { ...fromFiles, ...host.env };
}

/** Loads, interpolates, validates, merges and normalizes: the project, or a ComposeError. */
export function loadProject(host: LoadHost, opts: LoadOptions = {}): Project {
  // .env of the project folder may name the files itself (COMPOSE_FILE), so it comes first
  const firstDir = opts.projectDirectory ? resolve(host.cwd, opts.projectDirectory) : host.cwd;
  let env = projectEnvironment(host, opts, firstDir);
  const files = discoverFiles(host, opts, env);
  const dir = opts.projectDirectory ? resolve(host.cwd, opts.projectDirectory) : dirname(files[0]!);
  if (dir !== firstDir) env = projectEnvironment(host, opts, dir);
  const warned = new Set<string>();
  const missing = (name: string): void => {
    if (warned.has(name)) return;
    warned.add(name);
    host.warn(`The "${name}" variable is not set. Defaulting to a blank string.`);
  };
  let merged: Record<string, unknown> | null = null;
  for (const file of files) {
    const text = host.readFile(file);
    if (text === null) throw new ComposeError(`open ${file}: no such file or directory`);
    const raw = parseYaml(text, file);
    const doc = interpolateTree(raw, (n) => env[n], missing);
    const found = validateFile(doc, file);
    const d = doc as Record<string, unknown>;
    if ('version' in d) host.warn(`${file}: the attribute \`version\` is obsolete, it will be ignored, please remove it to avoid potential confusion`);
    for (const key of found.unsupported) host.warn(`${file}: ${key} is not supported by this runtime and is ignored`);
    merged = merged ? mergeFiles(merged, d) : d;
  }
  const doc = merged ?? {};
  const fromFile = typeof doc['name'] === 'string' ? doc['name'] : undefined;
  const name = opts.projectName
    ? checkProjectName(opts.projectName)
    : env['COMPOSE_PROJECT_NAME']
      ? checkProjectName(env['COMPOSE_PROJECT_NAME'])
      : fromFile
        ? checkProjectName(fromFile)
        : normalizeProjectName(basename(dir));
  if (!name) throw new ComposeError(`project name must not be empty`);
  const profiles = opts.profiles?.length ? opts.profiles : (env['COMPOSE_PROFILES'] ?? '').split(',').filter(Boolean);
  const project = normalizeProject(
    { projectName: name, workingDir: dir, configFiles: files, environment: env, profiles, readFile: (p) => host.readFile(p), home: env['HOME'] ?? '/root', warn: host.warn },
    doc,
    opts.enable ?? [],
  );
  validateProject(project);
  return project;
}
