// Merge stage: several -f files (and compose.override.yaml) folded into one, with Compose's
// rules: mappings merge key by key, scalars are replaced, command/entrypoint/healthcheck.test are
// replaced whole, environment/labels/args merge by variable, volumes by mount target, ports and
// other sequences are appended without duplicates.

type Dict = Record<string, unknown>;

const isDict = (v: unknown): v is Dict => v !== null && typeof v === 'object' && !Array.isArray(v);

const REPLACED = new Set(['command', 'entrypoint']);
const BY_KEY = new Set(['environment', 'labels', 'sysctls', 'extra_hosts']);
const UNIQUE_LISTS = new Set(['env_file', 'expose', 'dns', 'tmpfs', 'profiles', 'cap_add', 'cap_drop', 'ports']);

/** `KEY=VALUE` lines or a mapping, as a mapping (a bare `KEY` maps to null). */
export function listToDict(v: unknown, sep = '='): Dict {
  if (isDict(v)) return v;
  const out: Dict = {};
  if (!Array.isArray(v)) return out;
  for (const line of v) {
    const s = String(line);
    const i = s.indexOf(sep);
    if (i < 0) out[s] = null;
    else out[s.slice(0, i)] = s.slice(i + 1);
  }
  return out;
}

function namesToDict(v: unknown): Dict {
  if (isDict(v)) return v;
  const out: Dict = {};
  if (Array.isArray(v)) for (const n of v) out[String(n)] = null;
  return out;
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

function deepMerge(a: unknown, b: unknown): unknown {
  if (isDict(a) && isDict(b)) {
    const out: Dict = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? deepMerge(out[k], v) : v;
    return out;
  }
  return b;
}

function uniqueAppend(a: unknown[], b: unknown[]): unknown[] {
  const seen = new Set(a.map((x) => JSON.stringify(x)));
  const out = [...a];
  for (const x of b) {
    const k = JSON.stringify(x);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(x);
    }
  }
  return out;
}

/** The container path a volume entry mounts at, short or long syntax. */
function volumeTarget(v: unknown): string {
  if (isDict(v)) return String(v['target'] ?? '');
  const parts = String(v).split(':');
  return parts.length === 1 ? parts[0]! : parts[1]!;
}

function mergeVolumes(a: unknown[], b: unknown[]): unknown[] {
  const out = [...a];
  for (const v of b) {
    const i = out.findIndex((x) => volumeTarget(x) === volumeTarget(v));
    if (i >= 0) out[i] = v;
    else out.push(v);
  }
  return out;
}

function mergeService(a: Dict, b: Dict): Dict {
  const out: Dict = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (!(k in out)) out[k] = v;
    else if (REPLACED.has(k)) out[k] = v;
    else if (BY_KEY.has(k)) out[k] = { ...listToDict(out[k]), ...listToDict(v) };
    else if (k === 'volumes') out[k] = mergeVolumes(asList(out[k]), asList(v));
    else if (UNIQUE_LISTS.has(k)) out[k] = uniqueAppend(asList(out[k]), asList(v));
    else if (k === 'depends_on' || k === 'networks') out[k] = deepMerge(namesToDict(out[k]), namesToDict(v));
    else if (k === 'build') {
      const ab = typeof out[k] === 'string' ? { context: out[k] } : out[k];
      const bb = typeof v === 'string' ? { context: v } : v;
      const merged = deepMerge(ab, bb) as Dict;
      if (isDict(ab) && isDict(bb) && (ab['args'] !== undefined || bb['args'] !== undefined)) merged['args'] = { ...listToDict(ab['args']), ...listToDict(bb['args']) };
      out[k] = merged;
    } else if (k === 'healthcheck' && isDict(out[k]) && isDict(v)) out[k] = { ...(out[k] as Dict), ...v };
    else out[k] = deepMerge(out[k], v);
  }
  return out;
}

/** Folds `override` into `base` (both loaded, interpolated files). */
export function mergeFiles(base: Dict, override: Dict): Dict {
  const out: Dict = { ...base };
  for (const [k, v] of Object.entries(override)) {
    if (k === 'services' && isDict(out[k]) && isDict(v)) {
      const services: Dict = { ...(out[k] as Dict) };
      for (const [name, svc] of Object.entries(v)) {
        const prev = services[name];
        services[name] = isDict(prev) && isDict(svc) ? mergeService(prev, svc) : svc;
      }
      out[k] = services;
    } else out[k] = k in out ? deepMerge(out[k], v) : v;
  }
  return out;
}
