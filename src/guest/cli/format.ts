// Output formats of the Docker CLI: ps and images tables, a small Go-template subset for
// --format, and the 4-space JSON of inspect.

import { humanDuration, humanSize } from '../util/humanize.ts';
import { table } from '../util/tabwriter.ts';
import { displayPorts, type ApiPort } from '../net/ports.ts';

export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  Created: number;
  State: string;
  Status: string;
  Ports: ApiPort[];
  Labels: Record<string, string>;
  Mounts?: { Name?: string }[];
}

export interface ImageSummary {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Created: number;
  Size: number;
}

/** Docker's cut with an ellipsis: at most n characters, the last one "…". */
export function ellipsis(s: string, n: number): string {
  const chars = [...s];
  if (chars.length <= n) return s;
  return chars.slice(0, n - 1).join('') + '…';
}

export function ago(unixSeconds: number, now: number): string {
  return `${humanDuration(now - unixSeconds * 1000)} ago`;
}

export function psRow(c: ContainerSummary, now: number, noTrunc: boolean): Record<string, string> {
  const names = c.Names.map((n) => n.replace(/^\//, '')).join(',');
  return {
    ID: noTrunc ? c.Id : c.Id.slice(0, 12),
    Image: noTrunc || !c.Image.startsWith('sha256:') ? c.Image : c.Image.slice(7, 19),
    Command: noTrunc ? `"${c.Command}"` : `"${ellipsis(c.Command, 20)}"`,
    CreatedAt: new Date(c.Created * 1000).toISOString(),
    RunningFor: ago(c.Created, now),
    Ports: displayPorts(c.Ports ?? []),
    State: c.State,
    Status: c.Status,
    Names: names,
    Labels: Object.entries(c.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(','),
    Mounts: (c.Mounts ?? []).map((m) => m.Name ?? '').join(','),
    Size: '',
  };
}

export function psTable(list: ContainerSummary[], now: number, noTrunc: boolean): string {
  return table([
    ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'],
    ...list.map((c) => {
      const r = psRow(c, now, noTrunc);
      return [r['ID']!, r['Image']!, r['Command']!, r['RunningFor']!, r['Status']!, r['Ports']!, r['Names']!];
    }),
  ]);
}

export function imageRows(list: ImageSummary[], now: number, noTrunc: boolean): Record<string, string>[] {
  const rows: Record<string, string>[] = [];
  for (const img of list) {
    const id = noTrunc ? img.Id : img.Id.slice(7, 19);
    const tags = img.RepoTags.length ? img.RepoTags : ['<none>:<none>'];
    for (const t of tags) {
      const i = t.lastIndexOf(':');
      rows.push({ Repository: t.slice(0, i), Tag: t.slice(i + 1), ID: id, CreatedSince: ago(img.Created, now), CreatedAt: new Date(img.Created * 1000).toISOString(), Size: humanSize(img.Size), Digest: img.RepoDigests[0]?.split('@')[1] ?? '<none>' });
    }
  }
  return rows;
}

export function imagesTable(list: ImageSummary[], now: number, noTrunc: boolean): string {
  return table([
    ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'],
    ...imageRows(list, now, noTrunc).map((r) => [r['Repository']!, r['Tag']!, r['ID']!, r['CreatedSince']!, r['Size']!]),
  ]);
}

/** JSON as Go's json.MarshalIndent(v, "", "    ") writes it (inspect). */
export function inspectJson(items: unknown[]): string {
  return JSON.stringify(items, null, 4).replace(/\[\]/g, '[]').replace(/\{\}/g, '{}') + '\n';
}

function lookupPath(v: unknown, path: string[]): unknown {
  let cur = v;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function show(v: unknown): string {
  if (v === undefined || v === null) return '<no value>';
  if (typeof v === 'object') return Array.isArray(v) ? `[${v.map(show).join(' ')}]` : `map[${Object.entries(v as object).map(([k, x]) => `${k}:${show(x)}`).join(' ')}]`;
  return String(v);
}

/** One {{...}} action: `.A.B`, `json .A`, `upper .A`, `lower .A`, `index .A "key" 0`; null if it is none of these. */
function evalAction(action: string, v: unknown): string | null {
  const m = /^\s*(json|upper|lower|index)?\s*\.([\w.]*)((?:\s+(?:"(?:[^"\\]|\\.)*"|\d+))*)\s*$/.exec(action);
  if (!m) return null;
  const [, fn, path, rest] = m;
  let val = path === '' ? v : lookupPath(v, path!.split('.'));
  const keys = [...(rest ?? '').matchAll(/"((?:[^"\\]|\\.)*)"|(\d+)/g)].map((k) => (k[1] !== undefined ? (JSON.parse(`"${k[1]}"`) as string) : Number(k[2])));
  if (keys.length && fn !== 'index') return null;
  if (fn === 'index') {
    // Go's index: map keys and slice positions; a missing map key gives the zero value
    for (const k of keys) val = val !== null && typeof val === 'object' ? (val as Record<string | number, unknown>)[k] : undefined;
    return val === undefined || val === null ? '' : show(val);
  }
  if (fn === 'json') return JSON.stringify(val ?? null);
  const str = show(val);
  return fn === 'upper' ? str.toUpperCase() : fn === 'lower' ? str.toLowerCase() : str;
}

/**
 * What a list command's --format runs against in the docker CLI: a Go type with these fields (all
 * strings here). A field it does not have is an error there, where a map would print <no value>.
 */
export interface TemplateContext {
  /** The Go type the official client names in its error. */
  type: string;
  fields: readonly string[];
  /** "failed to execute template" (ps) or "template parsing error" (checked up front). */
  prefix: string;
}

export class TemplateError extends Error {
  override name = 'TemplateError';
}

/** Docker's error for the first {{.Field}} the context lacks, with Go's line:column. */
function checkFields(tpl: string, ctx: TemplateContext): void {
  for (const m of tpl.matchAll(/\{\{\s*(?:json|upper|lower|index)?\s*(\.[\w.]+)/g)) {
    const path = m[1]!;
    const col = m.index! + m[0].length - path.length;
    const parts = path.slice(1).split('.');
    const fail = (upto: number, field: string, type: string): never => {
      throw new TemplateError(`${ctx.prefix}: template: :1:${col}: executing "" at <.${parts.slice(0, upto + 1).join('.')}>: can't evaluate field ${field} in type ${type}`);
    };
    if (!ctx.fields.includes(parts[0]!)) fail(0, parts[0]!, ctx.type);
    if (parts.length > 1) fail(1, parts[1]!, 'string');
  }
}

/**
 * A Go text/template subset: {{.A.B}}, {{json .A}}, {{upper .A}}, {{lower .A}}, {{index .A "k"}}, {{.}};
 * "table " prefix gives a header row and tab alignment; \t and \n escapes.
 */
export function renderTemplate(tpl: string, items: unknown[], headerOf?: (field: string) => string, context?: TemplateContext): string {
  if (context) checkFields(tpl, context);
  let t = tpl;
  const isTable = t.startsWith('table ');
  if (isTable) t = t.slice(6);
  t = t.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const one = (v: unknown): string => t.replace(/\{\{(.*?)\}\}/g, (whole, action: string) => evalAction(action, v) ?? whole);
  const lines = items.map(one);
  if (isTable) {
    const header = t.replace(/\{\{\s*(?:json|upper|lower)?\s*\.([\w.]*)\s*\}\}/g, (_m, path: string) => (headerOf ? headerOf(path) : path.toUpperCase()));
    return table([header, ...lines].map((l) => l.split('\t')));
  }
  return lines.map((l) => `${l}\n`).join('');
}

export const PS_CONTEXT: TemplateContext = {
  type: '*formatter.ContainerContext', prefix: 'failed to execute template',
  fields: ['ID', 'Image', 'Command', 'CreatedAt', 'RunningFor', 'Ports', 'State', 'Status', 'Size', 'Names', 'Labels', 'Label', 'Mounts', 'LocalVolumes', 'Networks', 'Platform'],
};
export const IMAGES_CONTEXT: TemplateContext = {
  type: '*formatter.imageContext', prefix: 'template parsing error',
  fields: ['ID', 'Repository', 'Tag', 'Digest', 'CreatedSince', 'CreatedAt', 'Size', 'Containers', 'VirtualSize', 'SharedSize', 'UniqueSize'],
};

export const PS_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', RunningFor: 'CREATED', CreatedAt: 'CREATED AT', Status: 'STATUS',
  Ports: 'PORTS', Names: 'NAMES', State: 'STATE', Labels: 'LABELS', Mounts: 'MOUNTS', Size: 'SIZE',
};
