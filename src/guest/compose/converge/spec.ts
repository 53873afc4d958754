// A service's container as the Engine API wants it: names, the com.docker.compose.* labels, the
// config hash that tells a changed service from an unchanged one, and the create body.

import { version as VERSION } from '../../../../package.json';
import { sha256Hex } from '../../util/sha256.ts';
import { projectDict } from '../config.ts';
import { LABEL } from '../engine.ts';
import type { Project, Service } from '../model.ts';
import { parseDuration } from '../units.ts';

/** The version compose labels carry and `version` prints. */
export const COMPOSE_VERSION = VERSION;

export function containerName(p: Project, s: Service, n: number): string {
  return s.container_name ?? `${p.name}-${s.name}-${n}`;
}

/** The image a service runs: its own, or `<project>-<service>` built from `build:`. */
export function imageOf(p: Project, s: Service): string {
  return s.image ?? `${p.name}-${s.name}`;
}

/**
 * sha256 of the service's normalized config, less what does not change a container (replica
 * count, profiles, build instructions): equal hashes mean `up` leaves the container alone.
 */
export function configHash(p: Project, s: Service): string {
  const services = (projectDict({ ...p, services: { [s.name]: s } })['services'] as Record<string, Record<string, unknown>>)[s.name]!;
  const { scale: _s, profiles: _p, build: _b, deploy, ...rest } = services;
  void _s;
  void _p;
  void _b;
  const d = deploy as Record<string, unknown> | undefined;
  const keep = d ? { ...d, replicas: undefined } : undefined;
  return sha256Hex(JSON.stringify({ ...rest, deploy: keep, networks: Object.keys(s.networks ?? {}).map((n) => p.networks[n]?.name ?? n) }));
}

export function projectLabels(p: Project): Record<string, string> {
  return { [LABEL.project]: p.name, [LABEL.version]: COMPOSE_VERSION };
}

export function containerLabels(p: Project, s: Service, n: number, hash: string, imageId: string, oneoff = false): Record<string, string> {
  const deps = Object.entries(s.depends_on ?? {}).map(([d, x]) => `${d}:${x.condition}:${x.restart ? 'true' : 'false'}`);
  return {
    ...(s.labels ?? {}),
    [LABEL.project]: p.name,
    [LABEL.service]: s.name,
    [LABEL.number]: String(n),
    [LABEL.hash]: hash,
    [LABEL.oneoff]: oneoff ? 'True' : 'False',
    [LABEL.workingDir]: p.workingDir,
    [LABEL.configFiles]: p.configFiles.join(','),
    [LABEL.version]: COMPOSE_VERSION,
    [LABEL.dependsOn]: deps.join(','),
    [LABEL.image]: imageId,
  };
}

const ns = (d: string | undefined): number | undefined => (d === undefined ? undefined : Math.round(parseDuration(d, 'duration') * 1e6));

/** The /containers/create body; `network` is the project network's engine name, or null without one. */
export function createBody(p: Project, s: Service, n: number, labels: Record<string, string>, useNetworks: boolean, overrides: { command?: string[]; tty?: boolean; stdin?: boolean } = {}): Record<string, unknown> {
  const exposed: Record<string, Record<string, never>> = {};
  for (const port of s.ports ?? []) exposed[`${port.target}/${port.protocol}`] = {};
  for (const e of s.expose ?? []) exposed[e.includes('/') ? e : `${e}/tcp`] = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const port of s.ports ?? []) {
    if (port.published === undefined) continue;
    (bindings[`${port.target}/${port.protocol}`] ??= []).push({ HostIp: port.host_ip ?? '', HostPort: port.published });
  }
  const mounts: Record<string, unknown>[] = [];
  for (const v of s.volumes ?? []) {
    if (v.type === 'volume') mounts.push({ Type: 'volume', ...(v.source ? { Source: p.volumes[v.source]?.name ?? v.source } : {}), Target: v.target, ReadOnly: v.read_only ?? false });
    else if (v.type === 'bind') mounts.push({ Type: 'bind', Source: v.source, Target: v.target, ReadOnly: v.read_only ?? false });
    else mounts.push({ Type: 'tmpfs', Target: v.target });
  }
  const tmpfs: Record<string, string> = {};
  for (const t of s.tmpfs ?? []) {
    const i = t.indexOf(':');
    tmpfs[i < 0 ? t : t.slice(0, i)] = i < 0 ? '' : t.slice(i + 1);
  }
  const limits = s.deploy?.resources?.limits;
  const memory = limits?.memory ?? s.mem_limit;
  const cpus = limits?.cpus ?? s.cpus;
  const restart = s.restart ?? 'no';
  const [policy, retries] = restart.split(':');
  const hc = s.healthcheck;
  const nets = useNetworks && !s.network_mode ? Object.entries(s.networks ?? {}) : [];
  const first = nets[0];
  const name = containerName(p, s, n);
  const body: Record<string, unknown> = {
    Image: imageOf(p, s),
    Labels: labels,
    Env: Object.entries(s.environment ?? {}).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${v}`),
    ExposedPorts: exposed,
    Tty: overrides.tty ?? s.tty ?? false,
    OpenStdin: overrides.stdin ?? s.stdin_open ?? false,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: {
      Mounts: mounts,
      ...(Object.keys(tmpfs).length ? { Tmpfs: tmpfs } : {}),
      PortBindings: bindings,
      RestartPolicy: { Name: policy === 'unless-stopped' || policy === 'always' || policy === 'on-failure' ? policy : 'no', MaximumRetryCount: Number(retries ?? 0) || 0 },
      NetworkMode: s.network_mode ?? (first ? p.networks[first[0]]!.name : 'bridge'),
      Memory: memory ? Number(memory) : 0,
      NanoCpus: cpus ? Math.round(cpus * 1e9) : 0,
      PidsLimit: limits?.pids ?? s.pids_limit ?? null,
      Init: s.init ?? null,
      Privileged: s.privileged ?? false,
      ReadonlyRootfs: s.read_only ?? false,
      CapAdd: s.cap_add ?? null,
      CapDrop: s.cap_drop ?? null,
      Dns: s.dns ?? null,
      ExtraHosts: s.extra_hosts?.map((h) => h.replace('=', ':')) ?? null,
      Sysctls: s.sysctls ?? null,
    },
  };
  const cmd = overrides.command ?? s.command;
  if (cmd) body['Cmd'] = cmd;
  if (s.entrypoint) body['Entrypoint'] = s.entrypoint;
  if (s.hostname) body['Hostname'] = s.hostname;
  if (s.domainname) body['Domainname'] = s.domainname;
  if (s.user) body['User'] = s.user;
  if (s.working_dir) body['WorkingDir'] = s.working_dir;
  if (s.stop_signal) body['StopSignal'] = s.stop_signal;
  if (s.stop_grace_period) body['StopTimeout'] = Math.round(parseDuration(s.stop_grace_period, 'stop_grace_period') / 1000);
  if (hc) {
    body['Healthcheck'] = hc.disable
      ? { Test: ['NONE'] }
      : omitUndefined({ Test: hc.test, Interval: ns(hc.interval), Timeout: ns(hc.timeout), StartPeriod: ns(hc.start_period), StartInterval: ns(hc.start_interval), Retries: hc.retries });
  }
  if (nets.length) {
    const endpoints: Record<string, unknown> = {};
    for (const [key, cfg] of nets) endpoints[p.networks[key]!.name] = { Aliases: [s.name, ...(cfg?.aliases ?? [])], DNSNames: [name, s.name, ...(cfg?.aliases ?? [])] };
    body['NetworkingConfig'] = { EndpointsConfig: endpoints };
  }
  return body;
}

function omitUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
