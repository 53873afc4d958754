// `docker compose config`: the normalized model as YAML, keys in the order Compose prints them
// (compose-go's struct order for objects, sorted names for maps: services, environment, labels).

import { Document, visit } from 'yaml';
import type { Project, Service } from './model.ts';

type Dict = Record<string, unknown>;

const SERVICE_ORDER = [
  'profiles', 'build', 'cap_add', 'cap_drop', 'cpus', 'command', 'container_name', 'depends_on', 'deploy', 'dns', 'domainname', 'entrypoint', 'environment',
  'env_file', 'expose', 'extra_hosts', 'hostname', 'healthcheck', 'image', 'init', 'labels', 'mem_limit', 'network_mode', 'networks', 'pids_limit',
  'platform', 'ports', 'privileged', 'pull_policy', 'read_only', 'restart', 'scale', 'stdin_open', 'stop_grace_period', 'stop_signal', 'sysctls', 'tmpfs',
  'tty', 'user', 'volumes', 'working_dir',
];
const BUILD_ORDER = ['context', 'dockerfile', 'args', 'labels', 'no_cache', 'network', 'pull', 'target', 'tags'];
const HEALTH_ORDER = ['test', 'timeout', 'interval', 'retries', 'start_period', 'start_interval', 'disable'];
const DEPLOY_ORDER = ['mode', 'replicas', 'labels', 'resources', 'restart_policy'];
const DEPENDS_ORDER = ['condition', 'restart', 'required'];
const PORT_ORDER = ['name', 'mode', 'host_ip', 'target', 'published', 'protocol', 'app_protocol'];
const VOLUME_ORDER = ['type', 'source', 'target', 'read_only', 'bind', 'volume', 'tmpfs'];
const NETWORK_ORDER = ['name', 'driver', 'driver_opts', 'ipam', 'external', 'internal', 'attachable', 'labels', 'enable_ipv6'];
const TOP_VOLUME_ORDER = ['name', 'driver', 'driver_opts', 'external', 'labels'];

function ordered(o: Dict, order: string[]): Dict {
  const out: Dict = {};
  for (const k of order) if (o[k] !== undefined) out[k] = o[k];
  for (const k of Object.keys(o).sort()) if (!(k in out) && o[k] !== undefined) out[k] = o[k];
  return out;
}

function sorted<T>(o: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k]!;
  return out;
}

function serviceDict(s: Service): Dict {
  const { name: _name, extensions, ...rest } = s;
  void _name;
  const d: Dict = { ...rest };
  if (s.build) d['build'] = ordered({ ...s.build, ...(s.build.args ? { args: sorted(s.build.args) } : {}) }, BUILD_ORDER);
  if (s.healthcheck) d['healthcheck'] = ordered({ ...s.healthcheck }, HEALTH_ORDER);
  if (s.deploy) d['deploy'] = ordered({ ...s.deploy }, DEPLOY_ORDER);
  if (s.environment) d['environment'] = sorted(s.environment);
  if (s.labels) d['labels'] = sorted(s.labels);
  if (s.depends_on) d['depends_on'] = Object.fromEntries(Object.keys(s.depends_on).sort().map((k) => [k, ordered({ ...s.depends_on![k] }, DEPENDS_ORDER)]));
  if (s.networks) d['networks'] = sorted(s.networks);
  if (s.ports) d['ports'] = s.ports.map((p) => ordered({ ...p }, PORT_ORDER));
  if (s.volumes) d['volumes'] = s.volumes.map((v) => ordered({ ...v }, VOLUME_ORDER));
  const out = ordered(d, SERVICE_ORDER);
  if (extensions) Object.assign(out, extensions);
  return out;
}

/** The project as `docker compose config` prints it. */
export function projectDict(p: Project): Dict {
  const out: Dict = { name: p.name };
  out['services'] = Object.fromEntries(Object.keys(p.services).sort().map((n) => [n, serviceDict(p.services[n]!)]));
  if (Object.keys(p.networks).length) out['networks'] = Object.fromEntries(Object.keys(p.networks).sort().map((n) => [n, ordered({ ...p.networks[n] }, NETWORK_ORDER)]));
  if (Object.keys(p.volumes).length) out['volumes'] = Object.fromEntries(Object.keys(p.volumes).sort().map((n) => [n, ordered({ ...p.volumes[n] }, TOP_VOLUME_ORDER)]));
  if (p.extensions) Object.assign(out, p.extensions);
  return out;
}

/** go-yaml quotes the YAML 1.1 booleans (y, no, on, off...) that YAML 1.2 reads as strings. */
const OLD_BOOL = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;

/** In printed strings a $ is written $$, so the output loads back to the same values. */
function escapeDollars(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(/\$/g, '$$$$');
  if (Array.isArray(v)) return v.map(escapeDollars);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v as Dict).map(([k, x]) => [k, escapeDollars(x)]));
  return v;
}

export function configYaml(p: Project): string {
  const doc = new Document(escapeDollars(projectDict(p)), { aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && OLD_BOOL.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ indent: 2, lineWidth: 0, minContentWidth: 0 });
}
