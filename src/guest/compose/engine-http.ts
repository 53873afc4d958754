// EngineApi over dockerd's socket with the docker CLI's blocking HTTP client. List filters are
// sent as the real compose sends them and also applied here, for a daemon that ignores one.

import { Client, ApiResponseError } from '../cli/client.ts';
import { buildCommands } from '../cli/commands/build.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import { parseFlags } from '../util/flags.ts';
import { utf8Decode } from '../util/text.ts';
import { hasLabels, NotSupportedError, type ContainerDetails, type ContainerInfo, type BuildRequest, type EngineApi, type ImageInfo, type NetworkInfo, type VolumeInfo } from './engine.ts';

const q = (filters: Record<string, string[]>): string => encodeURIComponent(JSON.stringify(filters));

export class HttpEngine implements EngineApi {
  constructor(
    readonly client: Client,
    private readonly sys: Syscalls,
    private readonly err: (s: string) => void,
  ) {}

  /** The docker CLI's own build (context tar, POST /build, BuildKit-style progress): one implementation of the client side. */
  buildImage(req: BuildRequest): void {
    const argv = ['-f', req.dockerfile.startsWith('/') ? req.dockerfile : `${req.context}/${req.dockerfile}`];
    for (const t of req.tags) argv.push('-t', t);
    for (const [k, v] of Object.entries(req.args)) argv.push('--build-arg', `${k}=${v}`);
    for (const [k, v] of Object.entries(req.labels)) argv.push('--label', `${k}=${v}`);
    if (req.target) argv.push('--target', req.target);
    if (req.network) argv.push('--network', req.network);
    if (req.noCache) argv.push('--no-cache');
    if (req.pull) argv.push('--pull');
    if (req.quiet) argv.push('--progress', 'quiet');
    argv.push(req.context);
    const cmd = buildCommands['build']!;
    const code = cmd.run({ sys: this.sys, client: this.client, out: this.err, err: this.err }, parseFlags(cmd.spec, argv));
    if (typeof code !== 'number') throw new Error('docker build ran asynchronously');
    if (code !== 0) throw new Error(`failed to build ${req.tags[0] ?? req.context}: docker build exited with ${code}`);
  }

  listContainers(filters: Record<string, string[]>, all: boolean): ContainerInfo[] {
    const list = this.client.call<ContainerInfo[]>('GET', `/containers/json?all=${all ? 1 : 0}&filters=${q(filters)}`) ?? [];
    return list.filter((c) => hasLabels(c.Labels, filters['label'] ?? []));
  }
  inspectContainer(id: string): ContainerDetails {
    return this.client.call<ContainerDetails>('GET', `/containers/${encodeURIComponent(id)}/json`);
  }
  createContainer(name: string, body: Record<string, unknown>): string {
    return this.client.call<{ Id: string }>('POST', `/containers/create?name=${encodeURIComponent(name)}`, body).Id;
  }
  startContainer(id: string): void {
    this.client.call('POST', `/containers/${encodeURIComponent(id)}/start`);
  }
  stopContainer(id: string, timeoutSeconds?: number): void {
    this.client.call('POST', `/containers/${encodeURIComponent(id)}/stop${timeoutSeconds === undefined ? '' : `?t=${timeoutSeconds}`}`);
  }
  restartContainer(id: string, timeoutSeconds?: number): void {
    this.client.call('POST', `/containers/${encodeURIComponent(id)}/restart${timeoutSeconds === undefined ? '' : `?t=${timeoutSeconds}`}`);
  }
  killContainer(id: string, signal?: string): void {
    this.client.call('POST', `/containers/${encodeURIComponent(id)}/kill${signal ? `?signal=${encodeURIComponent(signal)}` : ''}`);
  }
  removeContainer(id: string, force: boolean, volumes: boolean): void {
    this.client.call('DELETE', `/containers/${encodeURIComponent(id)}?force=${force ? 1 : 0}&v=${volumes ? 1 : 0}`);
  }
  listNetworks(filters: Record<string, string[]>): NetworkInfo[] {
    const list = this.client.call<NetworkInfo[]>('GET', `/networks?filters=${q(filters)}`) ?? [];
    return list.filter((n) => hasLabels(n.Labels, filters['label'] ?? []) && (!filters['name'] || filters['name'].includes(n.Name)));
  }
  createNetwork(body: Record<string, unknown>): string {
    try {
      return this.client.call<{ Id: string }>('POST', '/networks/create', body).Id;
    } catch (e) {
      // a daemon without user networks answers 404 for the route itself
      if (e instanceof ApiResponseError && e.status === 404 && /page not found/.test(e.message)) throw new NotSupportedError('this daemon has no user-defined networks');
      throw e;
    }
  }
  supportsNetworks(): boolean {
    if (this.networks !== undefined) return this.networks;
    try {
      // a body without a name: a daemon with networks refuses it (400), one without has no route (404)
      this.client.call('POST', '/networks/create', {});
      this.networks = true;
    } catch (e) {
      this.networks = !(e instanceof ApiResponseError && e.status === 404 && /page not found/.test(e.message));
    }
    return this.networks;
  }
  private networks: boolean | undefined;
  removeNetwork(id: string): void {
    this.client.call('DELETE', `/networks/${encodeURIComponent(id)}`);
  }
  listVolumes(filters: Record<string, string[]>): VolumeInfo[] {
    const r = this.client.call<{ Volumes: VolumeInfo[] | null }>('GET', `/volumes?filters=${q(filters)}`);
    return (r?.Volumes ?? []).filter((v) => hasLabels(v.Labels, filters['label'] ?? []) && (!filters['name'] || filters['name'].includes(v.Name)));
  }
  createVolume(name: string, labels: Record<string, string>): void {
    this.client.call('POST', '/volumes/create', { Name: name, Labels: labels });
  }
  removeVolume(name: string): void {
    this.client.call('DELETE', `/volumes/${encodeURIComponent(name)}`);
  }
  inspectImage(ref: string): ImageInfo | null {
    try {
      return this.client.call<ImageInfo>('GET', `/images/${ref}/json`);
    } catch (e) {
      if (e instanceof ApiResponseError && e.status === 404) return null;
      throw e;
    }
  }
  pullImage(ref: string, onEvent: (ev: { status?: string; id?: string; error?: string }) => void): void {
    const at = ref.lastIndexOf(':');
    const [repo, tag] = at > ref.lastIndexOf('/') ? [ref.slice(0, at), ref.slice(at + 1)] : [ref, 'latest'];
    const { conn, res } = this.client.open('POST', `/images/create?fromImage=${encodeURIComponent(repo)}&tag=${encodeURIComponent(tag)}`, undefined, { Connection: 'close' });
    let pending = '';
    let failure: string | null = null;
    conn.readBody(res, (b) => {
      pending += utf8Decode(b);
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        const ev = JSON.parse(line) as { status?: string; id?: string; error?: string; message?: string };
        if (ev.error || ev.message) failure = ev.error ?? ev.message ?? null;
        else onEvent(ev);
      }
    });
    conn.close();
    if (res.status >= 400 && !failure) failure = pending.trim() || `pull of ${ref} failed (${res.status})`;
    if (failure) throw new ApiResponseError(res.status >= 400 ? res.status : 404, failure);
  }
  removeImage(ref: string): void {
    this.client.call('DELETE', `/images/${ref}`);
  }
  top(id: string): { Titles: string[]; Processes: string[][] } {
    return this.client.call('GET', `/containers/${encodeURIComponent(id)}/top`);
  }
}
