// Normalize stage: the merged, validated file becomes the typed model. Short syntaxes take their
// long form (ports, volumes, depends_on, networks, environment and labels lists, command strings),
// relative paths resolve against the project directory, env_file entries fold into environment,
// durations and sizes take Compose's printed forms, and defaults appear (the `default` network,
// `<project>_<name>` resource names).

import { ComposeError } from './errors.ts';
import { listToDict } from './merge.ts';
import type { BuildConfig, Dependency, Deploy, Env, EnvFile, Healthcheck, Limits, NetworkConfig, PortConfig, Project, Service, ServiceNetwork, ServiceVolume, VolumeConfig } from './model.ts';
import { parseDotenv } from './dotenv.ts';
import { splitWords } from './shellwords.ts';
import { formatDuration, parseBytes, parseDuration } from './units.ts';
import { resolve } from '../util/path.ts';

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface NormalizeContext {
  projectName: string;
  workingDir: string;
  configFiles: string[];
  /** Shell environment over .env: what `FOO` without a value and interpolation read. */
  environment: Record<string, string>;
  /** Active profiles (--profile, COMPOSE_PROFILES); `*` enables all. */
  profiles: string[];
  /** Reads an env_file; null when it does not exist. */
  readFile: (path: string) => string | null;
  home: string;
  warn: (message: string) => void;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
const toInt = (v: unknown): number => (typeof v === 'number' ? Math.trunc(v) : parseInt(String(v).trim(), 10));
const toNum = (v: unknown): number => (typeof v === 'number' ? v : Number(String(v).trim()));
const toBool = (v: unknown): boolean => (typeof v === 'boolean' ? v : /^(true|True|TRUE|1|t|T)$/.test(String(v)));

function hostPath(ctx: NormalizeContext, p: string): string {
  if (p === '~' || p.startsWith('~/')) return ctx.home + p.slice(1);
  return resolve(ctx.workingDir, p);
}

/** environment / args: a mapping of strings; a name without value reads the environment, else null. */
function envMap(ctx: NormalizeContext, v: unknown): Env {
  const out: Env = {};
  for (const [k, x] of Object.entries(listToDict(v))) {
    if (x === null || x === undefined) out[k] = ctx.environment[k] ?? null;
    else out[k] = str(x);
  }
  return out;
}

function labelMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(listToDict(v))) out[k] = x === null || x === undefined ? '' : str(x);
  return out;
}

function command(v: unknown, where: string): string[] | null {
  if (v === null) return null;
  if (typeof v === 'string') return splitWords(v, where);
  return (v as unknown[]).map(str);
}

function duration(v: unknown, where: string): string {
  return formatDuration(parseDuration(str(v), where));
}

function bytes(v: unknown, where: string): string {
  return String(parseBytes(typeof v === 'number' ? v : str(v), where));
}

function protocolOf(p: string, where: string): PortConfig['protocol'] {
  if (p === 'tcp' || p === 'udp' || p === 'sctp') return p;
  throw new ComposeError(`invalid proto: ${p}`);
}

function range(s: string, where: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) throw new ComposeError(`Invalid containerPort: ${s}`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (b < a) throw new ComposeError(`Invalid range specified for containerPort: ${s}`);
  return [a, b];
}

/** "127.0.0.1:8000-8001:80-81/udp" and friends, in Compose's long form (ranges expanded). */
export function parsePort(v: unknown, where: string): PortConfig[] {
  if (typeof v === 'number') return [{ mode: 'ingress', target: v, protocol: 'tcp' }];
  if (isDict(v)) {
    const p: PortConfig = { mode: v['mode'] === 'host' ? 'host' : 'ingress', target: toInt(v['target']), protocol: protocolOf(str(v['protocol'] ?? 'tcp'), where) };
    if (v['name'] !== undefined) p.name = str(v['name']);
    if (v['host_ip'] !== undefined) p.host_ip = str(v['host_ip']);
    if (v['published'] !== undefined && v['published'] !== '') p.published = str(v['published']);
    if (v['app_protocol'] !== undefined) p.app_protocol = str(v['app_protocol']);
    return [p];
  }
  const spec = str(v);
  const slash = spec.lastIndexOf('/');
  const proto = protocolOf(slash >= 0 ? spec.slice(slash + 1) : 'tcp', where);
  const body = slash >= 0 ? spec.slice(0, slash) : spec;
  const parts = body.split(':');
  let ip: string | undefined;
  let published: string | undefined;
  let target: string;
  if (parts.length === 1) target = parts[0]!;
  else if (parts.length === 2) [published, target] = parts as [string, string];
  else if (parts.length === 3) [ip, published, target] = parts as [string, string, string];
  else throw new ComposeError(`Invalid port specification: ${JSON.stringify(spec)}`);
  const [t0, t1] = range(target, where);
  let pub: [number, number] | undefined;
  if (published) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(published);
    if (!m) throw new ComposeError(`Invalid hostPort: ${published}`);
    pub = [Number(m[1]), m[2] === undefined ? Number(m[1]) : Number(m[2])];
  }
  const out: PortConfig[] = [];
  const n = t1 - t0 + 1;
  if (pub && n > 1 && pub[1] - pub[0] + 1 !== n) throw new ComposeError(`Invalid ranges specified for container and host Ports: ${target} and ${published}`);
  for (let i = 0; i < n; i++) {
    const p: PortConfig = { mode: 'ingress', target: t0 + i, protocol: proto };
    if (ip) p.host_ip = ip;
    if (pub) p.published = n > 1 ? String(pub[0] + i) : pub[0] === pub[1] ? String(pub[0]) : `${pub[0]}-${pub[1]}`;
    out.push(p);
  }
  return out;
}

/** "data:/var/lib/x:ro", "./site:/usr/share/nginx/html", "/cache", or the long form. */
export function parseVolume(ctx: NormalizeContext, v: unknown, where: string): ServiceVolume {
  if (isDict(v)) {
    const type = str(v['type'] ?? 'volume');
    if (type !== 'volume' && type !== 'bind' && type !== 'tmpfs') throw new ComposeError(`${where}: unsupported volume type ${type}`);
    if (!v['target']) throw new ComposeError(`${where}: invalid mount config: missing target`);
    const out: ServiceVolume = { type, target: str(v['target']) };
    if (v['source'] !== undefined && v['source'] !== '') out.source = type === 'bind' ? hostPath(ctx, str(v['source'])) : str(v['source']);
    if (v['read_only'] !== undefined) out.read_only = toBool(v['read_only']);
    if (isDict(v['bind'])) {
      const b = v['bind'];
      out.bind = {};
      if (b['propagation'] !== undefined) out.bind.propagation = str(b['propagation']);
      if (b['create_host_path'] !== undefined) out.bind.create_host_path = toBool(b['create_host_path']);
      if (b['selinux'] !== undefined) out.bind.selinux = str(b['selinux']);
    }
    if (isDict(v['volume'])) {
      const b = v['volume'];
      out.volume = {};
      if (b['nocopy'] !== undefined) out.volume.nocopy = toBool(b['nocopy']);
      if (b['subpath'] !== undefined) out.volume.subpath = str(b['subpath']);
    }
    if (isDict(v['tmpfs'])) {
      const b = v['tmpfs'];
      out.tmpfs = {};
      if (b['size'] !== undefined) out.tmpfs.size = bytes(b['size'], where);
      if (b['mode'] !== undefined) out.tmpfs.mode = toInt(b['mode']);
    }
    if (type === 'bind' && !out.source) throw new ComposeError(`${where}: invalid mount config for type "bind": field Source must not be empty`);
    return out;
  }
  const spec = str(v);
  const parts = spec.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) throw new ComposeError(`${where}: invalid spec: ${spec}: empty section between colons`);
  if (parts.length === 1) return { type: 'volume', target: parts[0]!, volume: {} };
  const [src, target, mode = ''] = parts as [string, string, string?];
  const opts = mode.split(',').filter(Boolean);
  for (const o of opts) if (!['ro', 'rw', 'z', 'Z', 'nocopy', 'shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate', 'consistent', 'cached', 'delegated'].includes(o)) throw new ComposeError(`${where}: invalid mode: ${o}`);
  const bind = src.startsWith('.') || src.startsWith('/') || src.startsWith('~');
  const out: ServiceVolume = bind ? { type: 'bind', source: hostPath(ctx, src), target } : { type: 'volume', source: src, target };
  if (opts.includes('ro')) out.read_only = true;
  if (bind) out.bind = { create_host_path: true };
  else out.volume = opts.includes('nocopy') ? { nocopy: true } : {};
  return out;
}

function dependsOn(v: unknown): Record<string, Dependency> {
  const out: Record<string, Dependency> = {};
  if (Array.isArray(v)) {
    for (const n of v) out[str(n)] = { condition: 'service_started', required: true };
    return out;
  }
  for (const [k, x] of Object.entries(v as Dict)) {
    const d = isDict(x) ? x : {};
    const dep: Dependency = { condition: str(d['condition'] ?? 'service_started') as Dependency['condition'], required: d['required'] === undefined ? true : toBool(d['required']) };
    if (d['restart'] !== undefined && toBool(d['restart'])) dep.restart = true;
    out[k] = dep;
  }
  return out;
}

function serviceNetworks(v: unknown): Record<string, ServiceNetwork | null> {
  const out: Record<string, ServiceNetwork | null> = {};
  if (Array.isArray(v)) {
    for (const n of v) out[str(n)] = null;
    return out;
  }
  for (const [k, x] of Object.entries(v as Dict)) {
    if (!isDict(x)) {
      out[k] = null;
      continue;
    }
    const n: ServiceNetwork = {};
    if (Array.isArray(x['aliases'])) n.aliases = x['aliases'].map(str);
    if (x['ipv4_address'] !== undefined) n.ipv4_address = str(x['ipv4_address']);
    out[k] = n;
  }
  return out;
}

function healthcheck(v: Dict, where: string): Healthcheck {
  const h: Healthcheck = {};
  if (v['test'] !== undefined) h.test = typeof v['test'] === 'string' ? ['CMD-SHELL', v['test']] : (v['test'] as unknown[]).map(str);
  for (const k of ['interval', 'timeout', 'start_period', 'start_interval'] as const) if (v[k] !== undefined) h[k] = duration(v[k], `${where}.${k}`);
  if (v['retries'] !== undefined) h.retries = toInt(v['retries']);
  if (v['disable'] !== undefined && toBool(v['disable'])) h.disable = true;
  return h;
}

function limits(v: unknown, where: string): Limits {
  const out: Limits = {};
  if (!isDict(v)) return out;
  if (v['cpus'] !== undefined) out.cpus = toNum(v['cpus']);
  if (v['memory'] !== undefined) out.memory = bytes(v['memory'], `${where}.memory`);
  if (v['pids'] !== undefined) out.pids = toInt(v['pids']);
  return out;
}

function deploy(v: Dict, where: string): Deploy {
  const d: Deploy = {};
  if (v['mode'] !== undefined) d.mode = str(v['mode']);
  if (v['replicas'] !== undefined) d.replicas = toInt(v['replicas']);
  if (v['labels'] !== undefined) d.labels = labelMap(v['labels']);
  if (isDict(v['resources'])) {
    d.resources = {};
    if (v['resources']['limits'] !== undefined) d.resources.limits = limits(v['resources']['limits'], `${where}.resources.limits`);
    if (v['resources']['reservations'] !== undefined) d.resources.reservations = limits(v['resources']['reservations'], `${where}.resources.reservations`);
  }
  if (isDict(v['restart_policy'])) {
    const r = v['restart_policy'];
    d.restart_policy = {};
    if (r['condition'] !== undefined) d.restart_policy.condition = str(r['condition']);
    if (r['delay'] !== undefined) d.restart_policy.delay = duration(r['delay'], `${where}.restart_policy.delay`);
    if (r['max_attempts'] !== undefined) d.restart_policy.max_attempts = toInt(r['max_attempts']);
    if (r['window'] !== undefined) d.restart_policy.window = duration(r['window'], `${where}.restart_policy.window`);
  }
  return d;
}

function build(ctx: NormalizeContext, v: unknown): BuildConfig {
  const b = typeof v === 'string' ? { context: v } : (v as Dict);
  const out: BuildConfig = { context: hostPath(ctx, str(b['context'] ?? '.')), dockerfile: str(b['dockerfile'] ?? 'Dockerfile') };
  if (b['args'] !== undefined) out.args = envMap(ctx, b['args']);
  if (b['target'] !== undefined) out.target = str(b['target']);
  if (b['labels'] !== undefined) out.labels = labelMap(b['labels']);
  if (b['network'] !== undefined) out.network = str(b['network']);
  if (b['no_cache'] !== undefined) out.no_cache = toBool(b['no_cache']);
  if (b['pull'] !== undefined) out.pull = toBool(b['pull']);
  if (Array.isArray(b['tags'])) out.tags = b['tags'].map(str);
  return out;
}

function envFiles(ctx: NormalizeContext, v: unknown): EnvFile[] {
  const items = Array.isArray(v) ? v : [v];
  return items.map((x) => (isDict(x) ? { path: hostPath(ctx, str(x['path'])), required: x['required'] === undefined ? true : toBool(x['required']) } : { path: hostPath(ctx, str(x)), required: true }));
}

/** Reads the env_file entries in order; `environment` wins over them. */
function envFromFiles(ctx: NormalizeContext, files: EnvFile[]): Env {
  const out: Env = {};
  for (const f of files) {
    const text = ctx.readFile(f.path);
    if (text === null) {
      if (f.required) throw new ComposeError(`env file ${f.path} not found: stat ${f.path}: no such file or directory`);
      continue;
    }
    const vars = parseDotenv(text, f.path, (n) => (typeof out[n] === 'string' ? (out[n] as string) : ctx.environment[n]));
    for (const [k, x] of Object.entries(vars)) out[k] = x ?? ctx.environment[k] ?? null;
  }
  return out;
}

const SIMPLE_STRINGS = ['container_name', 'domainname', 'hostname', 'image', 'network_mode', 'platform', 'pull_policy', 'restart', 'stop_signal', 'user', 'working_dir'] as const;
const SIMPLE_BOOLS = ['init', 'privileged', 'read_only', 'stdin_open', 'tty'] as const;
const STRING_LISTS = ['cap_add', 'cap_drop', 'profiles'] as const;

export function normalizeService(ctx: NormalizeContext, name: string, raw: Dict): Service {
  const where = `services.${name}`;
  const s: Service = { name };
  for (const k of SIMPLE_STRINGS) if (raw[k] !== undefined) s[k] = str(raw[k]);
  for (const k of SIMPLE_BOOLS) if (raw[k] !== undefined) s[k] = toBool(raw[k]);
  for (const k of STRING_LISTS) if (Array.isArray(raw[k])) s[k] = (raw[k] as unknown[]).map(str);
  if (raw['build'] !== undefined) s.build = build(ctx, raw['build']);
  // an explicit null is no command, as Compose prints it
  if (raw['command'] !== undefined && raw['command'] !== null) s.command = command(raw['command'], `${where}.command`);
  if (raw['entrypoint'] !== undefined && raw['entrypoint'] !== null) s.entrypoint = command(raw['entrypoint'], `${where}.entrypoint`);
  if (raw['cpus'] !== undefined) s.cpus = toNum(raw['cpus']);
  if (raw['depends_on'] !== undefined) s.depends_on = dependsOn(raw['depends_on']);
  if (isDict(raw['deploy'])) s.deploy = deploy(raw['deploy'], `${where}.deploy`);
  if (raw['dns'] !== undefined) s.dns = (Array.isArray(raw['dns']) ? raw['dns'] : [raw['dns']]).map(str);
  // env_file entries are read now and folded into environment, as Compose prints them
  const files = raw['env_file'] !== undefined ? envFiles(ctx, raw['env_file']) : null;
  if (raw['environment'] !== undefined || files) s.environment = { ...(files ? envFromFiles(ctx, files) : {}), ...envMap(ctx, raw['environment']) };
  if (Array.isArray(raw['expose'])) s.expose = raw['expose'].map(str);
  if (raw['extra_hosts'] !== undefined) s.extra_hosts = Array.isArray(raw['extra_hosts']) ? raw['extra_hosts'].map((h) => str(h).replace(/^([^:=]+)[:=]/, '$1=')) : Object.entries(raw['extra_hosts'] as Dict).map(([h, ip]) => `${h}=${str(ip)}`);
  if (isDict(raw['healthcheck'])) s.healthcheck = healthcheck(raw['healthcheck'], `${where}.healthcheck`);
  if (raw['labels'] !== undefined) s.labels = labelMap(raw['labels']);
  if (raw['mem_limit'] !== undefined) s.mem_limit = bytes(raw['mem_limit'], `${where}.mem_limit`);
  if (raw['networks'] !== undefined) s.networks = serviceNetworks(raw['networks']);
  else if (raw['network_mode'] === undefined) s.networks = { default: null };
  if (raw['pids_limit'] !== undefined) s.pids_limit = toInt(raw['pids_limit']);
  if (Array.isArray(raw['ports'])) s.ports = raw['ports'].flatMap((p, i) => parsePort(p, `${where}.ports.${i}`));
  if (raw['scale'] !== undefined) {
    // Compose keeps scale and deploy.replicas equal
    s.scale = toInt(raw['scale']);
    if (s.deploy?.replicas === undefined) s.deploy = { replicas: s.scale, ...(s.deploy ?? {}) };
  }
  if (raw['stop_grace_period'] !== undefined) s.stop_grace_period = duration(raw['stop_grace_period'], `${where}.stop_grace_period`);
  if (raw['sysctls'] !== undefined) s.sysctls = labelMap(raw['sysctls']);
  if (raw['tmpfs'] !== undefined) s.tmpfs = (Array.isArray(raw['tmpfs']) ? raw['tmpfs'] : [raw['tmpfs']]).map(str);
  if (Array.isArray(raw['volumes'])) s.volumes = raw['volumes'].map((v, i) => parseVolume(ctx, v, `${where}.volumes.${i}`));
  const ext = Object.entries(raw).filter(([k]) => k.startsWith('x-'));
  if (ext.length) s.extensions = Object.fromEntries(ext);
  return s;
}

function resource<T extends NetworkConfig | VolumeConfig>(ctx: NormalizeContext, kind: 'networks' | 'volumes', key: string, raw: unknown): T {
  const d = isDict(raw) ? raw : {};
  const ext = d['external'];
  const external = isDict(ext) ? true : ext === undefined ? false : toBool(ext);
  const extName = isDict(ext) && ext['name'] !== undefined ? str(ext['name']) : undefined;
  if (extName !== undefined) ctx.warn(`${kind}.${key}: external.name is deprecated. Please set name and external: true`);
  const name = d['name'] !== undefined ? str(d['name']) : extName ?? (external ? key : `${ctx.projectName}_${key}`);
  const out: Record<string, unknown> = { name };
  for (const k of ['driver', 'internal', 'attachable', 'enable_ipv6'] as const) if (d[k] !== undefined) out[k] = d[k];
  if (isDict(d['driver_opts'])) out['driver_opts'] = Object.fromEntries(Object.entries(d['driver_opts']).map(([k, v]) => [k, str(v)]));
  if (d['ipam'] !== undefined) out['ipam'] = d['ipam'];
  if (external) out['external'] = true;
  if (d['labels'] !== undefined) out['labels'] = labelMap(d['labels']);
  return out as unknown as T;
}

function profileActive(ctx: NormalizeContext, s: Service): boolean {
  if (!s.profiles || s.profiles.length === 0) return true;
  return ctx.profiles.includes('*') || s.profiles.some((p) => ctx.profiles.includes(p));
}

/** The whole project from the merged file. `enable` names services wanted whatever their profiles. */
export function normalizeProject(ctx: NormalizeContext, doc: Dict, enable: string[] = []): Project {
  const services: Record<string, Service> = {};
  const disabled: Record<string, Service> = {};
  const rawServices = isDict(doc['services']) ? doc['services'] : {};
  for (const [name, raw] of Object.entries(rawServices)) {
    const s = normalizeService(ctx, name, isDict(raw) ? raw : {});
    if (profileActive(ctx, s)) services[name] = s;
    else disabled[name] = s;
  }
  // services named on the command line come with what they depend on, whatever their profiles
  const wanted = [...enable];
  while (wanted.length) {
    const n = wanted.pop()!;
    const s = disabled[n];
    if (s) {
      services[n] = s;
      delete disabled[n];
    }
    for (const dep of Object.keys((services[n] ?? s)?.depends_on ?? {})) if (disabled[dep]) wanted.push(dep);
  }
  // networks and volumes no enabled service uses are left out, as Compose does; an undefined
  // one that is used stays out too, for validate to report
  const usedNetworks = new Set(Object.values(services).flatMap((s) => Object.keys(s.networks ?? {})));
  const usedVolumes = new Set(Object.values(services).flatMap((s) => (s.volumes ?? []).filter((v) => v.type === 'volume' && v.source).map((v) => v.source!)));
  const networks: Record<string, NetworkConfig> = {};
  const rawNetworks = isDict(doc['networks']) ? doc['networks'] : {};
  if (usedNetworks.has('default')) networks['default'] = resource<NetworkConfig>(ctx, 'networks', 'default', rawNetworks['default']);
  for (const [k, v] of Object.entries(rawNetworks)) if (k !== 'default' && usedNetworks.has(k)) networks[k] = resource<NetworkConfig>(ctx, 'networks', k, v);
  const volumes: Record<string, VolumeConfig> = {};
  for (const [k, v] of Object.entries(isDict(doc['volumes']) ? doc['volumes'] : {})) if (usedVolumes.has(k)) volumes[k] = resource<VolumeConfig>(ctx, 'volumes', k, v);
  const extensions = Object.fromEntries(Object.entries(doc).filter(([k]) => k.startsWith('x-')));
  return {
    name: ctx.projectName, workingDir: ctx.workingDir, configFiles: ctx.configFiles, services, disabled, networks, volumes, environment: ctx.environment,
    ...(Object.keys(extensions).length ? { extensions } : {}),
  };
}
