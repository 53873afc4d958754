// docker create (moby's daemon/create.go): checks the request as dockerd does, merges the image's
// config under it, and writes the container's record and files whole under a temporary name
// before renaming them into place, so a failed create leaves nothing behind.

import type { Syscalls } from '../sys/syscalls.ts';
import { mkdirp, readText, removeAll, writeFileAtomic } from '../util/fsutil.ts';
import { newId } from '../util/ids.ts';
import { InvalidParameter } from './errdefs.ts';
import { healthcheckError, mergeHealthcheck, type HealthConfig } from './health.ts';
import { newState, type ContainerConfig, type ContainerRecord, type HostConfig } from './model.ts';
import { resolveMounts } from './mounts.ts';
import { containerName } from './names.ts';
import type { EndpointRequest } from './network/records.ts';
import { hostsFile } from './ocispec.ts';
import { nowIso, type EngineParts } from './parts.ts';
import { policyError } from './restart.ts';

/** POST /containers/create's body. */
export type CreateBody = Partial<ContainerConfig> & { HostConfig?: Partial<HostConfig>; NetworkingConfig?: { EndpointsConfig?: Record<string, EndpointRequest> | null } | null };

/** docker create: the record, its files (hostname, hosts, resolv.conf) and its empty writable layer. */
export function createContainer(p: EngineParts, name: string | null, body: CreateBody): ContainerRecord {
  if (!body.Image) throw new InvalidParameter('No image specified');
  const policyErr = policyError(body.HostConfig?.RestartPolicy);
  if (policyErr) throw new InvalidParameter(policyErr);
  if (body.HostConfig?.AutoRemove && body.HostConfig.RestartPolicy && !['', 'no'].includes(body.HostConfig.RestartPolicy.Name)) throw new InvalidParameter("can't create 'AutoRemove' container with restart policy");
  const hcErr = healthcheckError(body.Healthcheck);
  if (hcErr) throw new InvalidParameter(hcErr);
  const img = p.images.find(body.Image);
  const finalName = containerName(p.sys, p.store, name);
  const ic = img.config.config ?? {};
  const entrypoint = body.Entrypoint !== undefined && body.Entrypoint !== null ? body.Entrypoint : (ic.Entrypoint ?? null);
  const cmd = body.Cmd && body.Cmd.length > 0 ? body.Cmd : body.Entrypoint && body.Entrypoint.length > 0 ? [] : (ic.Cmd ?? []);
  const argv = [...(entrypoint ?? []), ...(cmd ?? [])];
  if (argv.length === 0) throw new InvalidParameter('no command specified');
  const id = newId((k) => p.sys.randomBytes(k));
  const dir = p.layout.containerDir(id);
  const hc: HostConfig = {
    Binds: null, NetworkMode: 'bridge', RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: false, Memory: 0, MemorySwap: 0,
    NanoCpus: 0, CpuShares: 0, PidsLimit: null, Init: null, ...(body.HostConfig ?? {}),
  };
  const env = [...(ic.Env ?? [])];
  for (const e of body.Env ?? []) {
    const k = e.split('=')[0];
    const i = env.findIndex((x) => x.split('=')[0] === k);
    if (i >= 0) env[i] = e;
    else env.push(e);
  }
  const c: ContainerRecord = {
    Id: id,
    Created: nowIso(p),
    Path: argv[0]!,
    Args: argv.slice(1),
    State: newState(),
    Image: img.id,
    ResolvConfPath: `${dir}/resolv.conf`,
    HostnamePath: `${dir}/hostname`,
    HostsPath: `${dir}/hosts`,
    LogPath: `${dir}/${id}-json.log`,
    Name: finalName,
    RestartCount: 0,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    HostConfig: hc,
    Mounts: [],
    Config: {
      Hostname: body.Hostname || id.slice(0, 12),
      Domainname: '',
      User: body.User ?? ic.User ?? '',
      AttachStdin: body.AttachStdin ?? false,
      AttachStdout: body.AttachStdout ?? true,
      AttachStderr: body.AttachStderr ?? true,
      ExposedPorts: { ...(ic.ExposedPorts ?? {}), ...(body.ExposedPorts ?? {}) },
      Tty: body.Tty ?? false,
      OpenStdin: body.OpenStdin ?? false,
      StdinOnce: body.StdinOnce ?? false,
      Env: env,
      Cmd: cmd,
      Image: body.Image,
      Volumes: body.Volumes ?? ic.Volumes ?? null,
      WorkingDir: body.WorkingDir || ic.WorkingDir || '',
      Entrypoint: entrypoint,
      Labels: { ...(ic.Labels ?? {}), ...(body.Labels ?? {}) },
      StopSignal: body.StopSignal ?? ic.StopSignal,
      StopTimeout: body.StopTimeout,
      Healthcheck: mergeHealthcheck(body.Healthcheck, ic.Healthcheck as HealthConfig | undefined),
      Shell: body.Shell && body.Shell.length ? body.Shell : ic.Shell,
    },
    NetworkSettings: p.net.initialSettings(hc.NetworkMode, body.NetworkingConfig?.EndpointsConfig ?? {}, hc, body.Hostname ?? ''),
    ShimPid: 0,
    ImageName: body.Image,
  };
  c.Mounts = resolveMounts(c, hc, (v) => p.volumes.create(v));
  const tmp = `${dir}.tmp`;
  removeAll(p.sys, tmp);
  mkdirp(p.sys, tmp, 0o710);
  try {
    writeFileAtomic(p.sys, `${tmp}/hostname`, `${c.Config.Hostname}\n`);
    writeFileAtomic(p.sys, `${tmp}/hosts`, hostsFile(c.Config.Hostname, null));
    writeFileAtomic(p.sys, `${tmp}/resolv.conf`, hostResolvConf(p.sys));
    writeFileAtomic(p.sys, `${tmp}/config.v2.json`, JSON.stringify(c));
    p.rootfs.prepare(id);
    p.sys.rename(tmp, dir);
  } catch (e) {
    removeAll(p.sys, tmp);
    p.rootfs.remove(id);
    throw e;
  }
  p.store.add(c);
  p.events.container(c, 'create');
  return c;
}

/** The host's resolv.conf for the container, unless it names a resolver only the host reaches. */
function hostResolvConf(sys: Syscalls): string {
  try {
    const text = readText(sys, '/etc/resolv.conf');
    // a loopback resolver on the host cannot be reached from the container's network
    if (!/nameserver\s+127\./.test(text)) return text;
  } catch {
    // none on the host
  }
  return 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n';
}
