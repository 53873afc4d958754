// Services in depends_on order (dependencies first, names sorted among equals): `up` creates and
// starts in this order, `stop` and `down` go in reverse.

import type { Project } from '../model.ts';

export function dependencyOrder(p: Project, only?: string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const keep = only ? new Set(only) : null;
  const visit = (name: string): void => {
    if (seen.has(name) || !p.services[name]) return;
    seen.add(name);
    for (const dep of Object.keys(p.services[name]!.depends_on ?? {}).sort()) visit(dep);
    if (!keep || keep.has(name)) out.push(name);
  };
  for (const name of (only ?? Object.keys(p.services)).slice().sort()) visit(name);
  return out;
}

/** The named services and, unless noDeps, everything they depend on. */
export function withDependencies(p: Project, names: string[], noDeps: boolean): string[] {
  if (names.length === 0) return Object.keys(p.services);
  if (noDeps) return names;
  const out = new Set<string>();
  const add = (n: string): void => {
    if (out.has(n)) return;
    out.add(n);
    for (const d of Object.keys(p.services[n]?.depends_on ?? {})) add(d);
  };
  names.forEach(add);
  return [...out];
}
