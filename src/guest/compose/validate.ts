// Validate stage: a loaded file against the schema (unknown keys with their path, wrong types),
// and the normalized project for what a schema cannot see (undefined volumes and networks,
// depends_on on missing services or in a cycle, a service with neither image nor build).

import { ComposeError, invalidProject } from './errors.ts';
import type { Project } from './model.ts';
import { file as fileSchema, type Schema } from './schema.ts';

const TYPE_NAMES: Record<string, string> = { string: 'string', integer: 'integer', number: 'number', boolean: 'boolean', null: 'null', list: 'list', mapping: 'mapping', dict: 'mapping' };

function kind(v: unknown): 'string' | 'number' | 'boolean' | 'null' | 'list' | 'mapping' {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'mapping';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  return 'string';
}

/** Interpolated values are strings: where a number or boolean belongs, a string of one is fine. */
function scalarFits(t: string, v: unknown): boolean {
  const k = kind(v);
  switch (t) {
    case 'any':
      return true;
    case 'string':
      return k === 'string';
    case 'null':
      return k === 'null';
    case 'integer':
      return (k === 'number' && Number.isInteger(v)) || (k === 'string' && /^-?\d+$/.test((v as string).trim()));
    case 'number':
      return k === 'number' || (k === 'string' && /^-?(\d+\.?\d*|\.\d+)$/.test((v as string).trim()));
    case 'boolean':
      return k === 'boolean' || (k === 'string' && /^(true|false|True|False|TRUE|FALSE|1|0|t|f|T|F)$/.test(v as string));
  }
  return false;
}

function fits(s: Schema, v: unknown): boolean {
  if (s.t === 'list') return Array.isArray(v);
  if (s.t === 'mapping' || s.t === 'dict') return kind(v) === 'mapping';
  if (s.t === 'oneOf') return s.of.some((x) => fits(x, v));
  return scalarFits(s.t, v);
}

function typeName(s: Schema): string {
  if (s.t === 'oneOf') return [...new Set(s.of.map(typeName))].join(' or ');
  return TYPE_NAMES[s.t] ?? s.t;
}

export interface SchemaProblem {
  /** "services.web.logging": a key Compose knows that this runtime ignores. */
  unsupported: string[];
}

function walk(s: Schema, v: unknown, path: string, found: SchemaProblem): void {
  const at = path || '(root)';
  if (s.t === 'oneOf') {
    // descend into the alternative of the value's own type, so errors point inside it
    const same = s.of.find((x) => fits(x, v));
    if (!same) throw new ComposeError(`${at} must be a ${typeName(s)}`);
    walk(same, v, path, found);
    return;
  }
  if (!fits(s, v)) throw new ComposeError(`${at} must be a ${typeName(s)}`);
  if (s.t === 'list') {
    (v as unknown[]).forEach((x, i) => walk(s.items, x, `${path}.${i}`, found));
    return;
  }
  if (s.t === 'dict') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(s.values, x, path ? `${path}.${k}` : k, found);
    return;
  }
  if (s.t === 'mapping') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const sub = s.props[k];
      if (sub) walk(sub, x, path ? `${path}.${k}` : k, found);
      else if (s.extensions && k.startsWith('x-')) continue;
      else if (s.unsupported?.includes(k)) found.unsupported.push(path ? `${path}.${k}` : k);
      else throw new ComposeError(`${at} Additional property ${k} is not allowed`);
    }
  }
}

/** Checks one loaded, interpolated file; throws Compose's "validating FILE: ..." error. */
export function validateFile(doc: unknown, file: string): SchemaProblem {
  const found: SchemaProblem = { unsupported: [] };
  if (doc === null || doc === undefined) throw new ComposeError(`empty compose file: ${file}`);
  try {
    walk(fileSchema, doc, '', found);
  } catch (e) {
    if (e instanceof ComposeError) throw new ComposeError(`validating ${file}: ${e.message}`);
    throw e;
  }
  return found;
}

const CONDITIONS = ['service_started', 'service_healthy', 'service_completed_successfully'];

/** The checks that need the whole, normalized project. */
export function validateProject(p: Project): void {
  const all = { ...p.services, ...p.disabled };
  for (const s of Object.values(p.services)) {
    if (!s.image && !s.build) throw invalidProject(`service "${s.name}" has neither an image nor a build context specified`);
    for (const v of s.volumes ?? []) {
      if (v.type === 'volume' && v.source && !p.volumes[v.source]) throw invalidProject(`service "${s.name}" refers to undefined volume ${v.source}`);
    }
    for (const n of Object.keys(s.networks ?? {})) {
      if (!p.networks[n]) throw invalidProject(`service "${s.name}" refers to undefined network ${n}`);
    }
    for (const [dep, d] of Object.entries(s.depends_on ?? {})) {
      if (!all[dep] && d.required) throw invalidProject(`service "${s.name}" depends on undefined service "${dep}"`);
      // the path twice, as compose-go prints it
      const at = `services.${s.name}.depends_on.${dep}.condition`;
      if (!CONDITIONS.includes(d.condition)) throw new ComposeError(`validating ${p.configFiles[0]}: ${at} ${at} must be one of the following: "service_started", "service_healthy", "service_completed_successfully"`);
    }
    if (s.scale !== undefined && s.deploy?.replicas !== undefined && s.scale !== s.deploy.replicas) {
      throw invalidProject(`services.${s.name}: can't set distinct values on 'scale' and 'deploy.replicas'`);
    }
    // (compose-go's own wording, odd as it is)
    if (s.container_name && (s.scale ?? s.deploy?.replicas ?? 1) > 1) throw invalidProject(`services.scale: can't set container_name and ${s.name} as container name must be unique`);
    const limits = s.deploy?.resources?.limits;
    if (s.cpus !== undefined && limits?.cpus !== undefined && s.cpus !== limits.cpus) throw invalidProject(`services.${s.name}: can't set distinct values on 'cpus' and 'deploy.resources.limits.cpus'`);
    if (s.mem_limit !== undefined && limits?.memory !== undefined && s.mem_limit !== limits.memory) throw invalidProject(`services.${s.name}: can't set distinct values on 'mem_limit' and 'deploy.resources.limits.memory'`);
    if (s.network_mode && s.networks && Object.keys(s.networks).length) {
      throw new ComposeError(`service ${s.name} declares mutually exclusive \`network_mode\` and \`networks\``);
    }
  }
  findCycle(p);
}

function findCycle(p: Project): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(name)), name];
      throw new ComposeError(`dependency cycle detected: ${cycle.join(' -> ')}`);
    }
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of Object.keys(p.services[name]?.depends_on ?? {})) if (p.services[dep]) visit(dep);
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of Object.keys(p.services).sort()) visit(name);
}
