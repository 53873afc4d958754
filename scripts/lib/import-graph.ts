// The relative-import graph of a source tree and its cycles, so a test can keep src/guest free of
// import circles (a circle makes module order matter and hides which part is below which).
// `import type` counts too: a type cycle is the same tangle for a reader.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Module path (relative to root, / separators) -> the modules it imports. */
export type ImportGraph = Map<string, string[]>;

// A static import or re-export at the start of a line (possibly over several lines), or a dynamic
// import(): the specifier is what we need. Comments and strings rarely start a line with these.
const STATIC = /^\s*(?:import|export)\s(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.ts$/.test(name) && !/\.d\.ts$/.test(name)) out.push(p);
  }
  return out;
}

/** The specifiers a module's text imports. */
export function importSpecifiers(text: string): string[] {
  const out: string[] = [];
  for (const re of [STATIC, DYNAMIC]) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1]!);
  }
  return out;
}

/** Every .ts module under root with the modules under root it imports (relative specifiers only). */
export function importGraph(root: string): ImportGraph {
  const abs = resolve(root);
  const graph: ImportGraph = new Map();
  for (const file of sourceFiles(abs)) {
    const deps = new Set<string>();
    for (const spec of importSpecifiers(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      // outside root: not part of this graph (a separate check keeps src/guest self-contained)
      if (!target.startsWith(`${abs}/`)) continue;
      deps.add(relative(abs, target).split('\\').join('/'));
    }
    graph.set(relative(abs, file).split('\\').join('/'), [...deps].sort());
  }
  return graph;
}

/**
 * The import cycles: one per strongly connected component of more than one module (or a module
 * importing itself), each given as a path a -> b -> ... -> a through the component.
 */
export function importCycles(graph: ImportGraph): string[][] {
  // Tarjan's strongly connected components (recursive: a few hundred modules deep at most)
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const comps: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) comps.push(comp);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return comps.map((comp) => cyclePath(graph, new Set(comp)));
}

/** A shortest cycle through the component's first module (breadth-first inside the component). */
function cyclePath(graph: ImportGraph, comp: Set<string>): string[] {
  const start = [...comp].sort()[0]!;
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!comp.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = prev.get(u)!) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}
