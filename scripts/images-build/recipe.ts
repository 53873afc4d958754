// The image recipes in vm-images/images/images.json, loaded and checked.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../lib/cache.ts';
import { BuildError } from '../lib/progress.ts';

export const imagesDir = join(repoRoot, 'vm-images', 'images');

/** The subset of an OCI image config's `config` object that recipes may set. */
export interface RecipeConfig {
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  WorkingDir?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Volumes?: Record<string, Record<string, never>>;
  StopSignal?: string;
}

export type RecipeKind = 'hello-world' | 'busybox' | 'debian-base' | 'debian-packages';

export interface Recipe {
  name: string;
  tags: string[];
  kind: RecipeKind;
  /** Debian packages this image adds (busybox-static, nginx-common...). */
  packages: string[];
  /** For debian-packages: the image whose layers this one starts from. */
  base?: string;
  /**
   * For debian-packages: shell commands run in the image's chroot after the install, in the same
   * layer (a Dockerfile's `RUN apt-get install ... && cmd && cmd`): users, config edits.
   */
  run: string[];
  /**
   * For debian-packages: a folder under vm-images/images whose tree is copied onto the root as a
   * layer of its own (a Dockerfile's `COPY`): entrypoint scripts and config files written by us.
   */
  files?: string;
  config: RecipeConfig;
}

const KINDS: RecipeKind[] = ['hello-world', 'busybox', 'debian-base', 'debian-packages'];
const NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

function strings(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new BuildError(`${what} must be an array of strings`);
  return v as string[];
}

function parseConfig(v: unknown, what: string): RecipeConfig {
  if (typeof v !== 'object' || v === null) throw new BuildError(`${what} must be an object`);
  const o = v as Record<string, unknown>;
  const known = ['Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'ExposedPorts', 'Volumes', 'StopSignal'];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new BuildError(`${what}.${k} is not supported (use ${known.join(', ')})`);
  const c: RecipeConfig = {};
  if (o.Env !== undefined) c.Env = strings(o.Env, `${what}.Env`);
  if (o.Cmd !== undefined) c.Cmd = strings(o.Cmd, `${what}.Cmd`);
  if (o.Entrypoint !== undefined) c.Entrypoint = strings(o.Entrypoint, `${what}.Entrypoint`);
  if (o.WorkingDir !== undefined) {
    if (typeof o.WorkingDir !== 'string' || !o.WorkingDir.startsWith('/')) throw new BuildError(`${what}.WorkingDir must be an absolute path`);
    c.WorkingDir = o.WorkingDir;
  }
  if (o.ExposedPorts !== undefined) {
    if (typeof o.ExposedPorts !== 'object' || o.ExposedPorts === null) throw new BuildError(`${what}.ExposedPorts must be an object`);
    for (const p of Object.keys(o.ExposedPorts))
      if (!/^\d+\/(tcp|udp|sctp)$/.test(p)) throw new BuildError(`${what}.ExposedPorts key ${p} must look like 80/tcp`);
    c.ExposedPorts = o.ExposedPorts as Record<string, Record<string, never>>;
  }
  if (o.Volumes !== undefined) {
    if (typeof o.Volumes !== 'object' || o.Volumes === null) throw new BuildError(`${what}.Volumes must be an object`);
    for (const v of Object.keys(o.Volumes)) if (!v.startsWith('/')) throw new BuildError(`${what}.Volumes key ${v} must be an absolute path`);
    c.Volumes = o.Volumes as Record<string, Record<string, never>>;
  }
  if (o.StopSignal !== undefined) {
    if (typeof o.StopSignal !== 'string' || !/^SIG[A-Z0-9]+$/.test(o.StopSignal)) throw new BuildError(`${what}.StopSignal must look like SIGQUIT`);
    c.StopSignal = o.StopSignal;
  }
  return c;
}

export function loadRecipes(file = join(imagesDir, 'images.json')): Recipe[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new BuildError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const list = (raw as { images?: unknown }).images;
  if (!Array.isArray(list)) throw new BuildError(`${file}: "images" must be an array`);
  const recipes = list.map((item: unknown, i): Recipe => {
    const o = item as Record<string, unknown>;
    const what = `images[${i}]`;
    if (typeof o.name !== 'string' || !NAME.test(o.name)) throw new BuildError(`${what}.name must be a lowercase repository name`);
    const tags = strings(o.tags, `${what}.tags`);
    for (const t of tags) if (!TAG.test(t)) throw new BuildError(`${what}: invalid tag ${t}`);
    if (!KINDS.includes(o.kind as RecipeKind)) throw new BuildError(`${what}.kind must be one of ${KINDS.join(', ')}`);
    const r: Recipe = {
      name: o.name,
      tags,
      kind: o.kind as RecipeKind,
      packages: o.packages === undefined ? [] : strings(o.packages, `${what}.packages`),
      run: o.run === undefined ? [] : strings(o.run, `${what}.run`),
      config: parseConfig(o.config ?? {}, `${what}.config`),
    };
    if (o.base !== undefined) {
      if (typeof o.base !== 'string') throw new BuildError(`${what}.base must be an image name`);
      r.base = o.base;
    }
    if (o.files !== undefined) {
      if (typeof o.files !== 'string' || !/^[a-z0-9][a-z0-9._/-]*$/.test(o.files) || o.files.split('/').includes('..'))
        throw new BuildError(`${what}.files must name a folder under vm-images/images`);
      if (!existsSync(join(dirname(file), o.files))) throw new BuildError(`${what}.files: ${join(dirname(file), o.files)} does not exist`);
      r.files = o.files;
    }
    return r;
  });
  for (const r of recipes) {
    if (r.kind === 'debian-packages') {
      const base = recipes.find((b) => b.name === r.base);
      if (!base || base.kind !== 'debian-base') throw new BuildError(`${r.name}: base must name a debian-base image`);
      if (r.packages.length === 0) throw new BuildError(`${r.name}: a debian-packages image needs packages`);
    } else if (r.run.length || r.files) throw new BuildError(`${r.name}: run and files are for debian-packages images`);
    if (recipes.filter((o) => o.name === r.name).length > 1) throw new BuildError(`${r.name}: two recipes with this name`);
  }
  return recipes;
}
