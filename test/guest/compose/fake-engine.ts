// An in-memory Engine for converge tests: containers, networks, volumes and images with their
// labels, a log of the calls made, and hooks to make a call fail or a container's health change.
import type { BuildRequest, ContainerDetails, ContainerInfo, EngineApi, ImageInfo, NetworkInfo, VolumeInfo } from '../../../src/guest/compose/engine.ts';
import { hasLabels, NotSupportedError } from '../../../src/guest/compose/engine.ts';

export interface FakeContainer {
  id: string;
  name: string;
  body: Record<string, unknown>;
  labels: Record<string, string>;
  state: 'created' | 'running' | 'exited';
  exitCode: number;
  health?: string;
}

export class FakeEngine implements EngineApi {
  calls: string[] = [];
  containers: FakeContainer[] = [];
  networks: NetworkInfo[] = [];
  volumes: VolumeInfo[] = [];
  images = new Set<string>(['busybox', 'busybox:latest', 'mariadb:10.11', 'wordpress:latest']);
  networksSupported = true;
  /** Called on inspect: lets a test move health along. */
  onInspect: (c: FakeContainer) => void = () => {};
  /** Called before a start: throw to make it fail. */
  onStart: (c: FakeContainer) => void = () => {};
  private seq = 0;

  private find(idOrName: string): FakeContainer {
    const c = this.containers.find((x) => x.id === idOrName || x.name === idOrName);
    if (!c) throw new Error(`No such container: ${idOrName}`);
    return c;
  }
  listContainers(filters: Record<string, string[]>, all: boolean): ContainerInfo[] {
    return this.containers
      .filter((c) => (all || c.state === 'running') && hasLabels(c.labels, filters['label'] ?? []))
      .map((c) => ({ Id: c.id, Names: [`/${c.name}`], Image: String(c.body['Image']), Command: '', Created: 0, State: c.state, Status: c.state, Labels: c.labels }));
  }
  inspectContainer(id: string): ContainerDetails {
    const c = this.find(id);
    this.onInspect(c);
    return { Id: c.id, Name: `/${c.name}`, State: { Status: c.state, Running: c.state === 'running', ExitCode: c.exitCode, ...(c.health ? { Health: { Status: c.health } } : {}) }, Config: { Labels: c.labels, Tty: false, Image: String(c.body['Image']) } };
  }
  createContainer(name: string, body: Record<string, unknown>): string {
    this.calls.push(`create ${name}`);
    if (!this.images.has(String(body['Image']))) throw new Error(`No such image: ${String(body['Image'])}`);
    if (this.containers.some((c) => c.name === name)) throw new Error(`Conflict. The container name "/${name}" is already in use`);
    const id = `c${++this.seq}`;
    this.containers.push({ id, name, body, labels: body['Labels'] as Record<string, string>, state: 'created', exitCode: 0 });
    return id;
  }
  startContainer(id: string): void {
    const c = this.find(id);
    this.calls.push(`start ${c.name}`);
    this.onStart(c);
    c.state = 'running';
  }
  stopContainer(id: string): void {
    const c = this.find(id);
    this.calls.push(`stop ${c.name}`);
    if (c.state === 'running') c.state = 'exited';
  }
  restartContainer(id: string): void {
    const c = this.find(id);
    this.calls.push(`restart ${c.name}`);
    c.state = 'running';
  }
  killContainer(id: string): void {
    const c = this.find(id);
    this.calls.push(`kill ${c.name}`);
    c.state = 'exited';
    c.exitCode = 137;
  }
  removeContainer(id: string, force: boolean): void {
    const c = this.find(id);
    if (c.state === 'running' && !force) throw new Error('container is running');
    this.calls.push(`rm ${c.name}`);
    this.containers = this.containers.filter((x) => x !== c);
  }
  listNetworks(filters: Record<string, string[]>): NetworkInfo[] {
    return this.networks.filter((n) => hasLabels(n.Labels, filters['label'] ?? []));
  }
  createNetwork(body: Record<string, unknown>): string {
    if (!this.networksSupported) throw new NotSupportedError('no user networks');
    this.calls.push(`network create ${String(body['Name'])}`);
    const id = `n${++this.seq}`;
    this.networks.push({ Id: id, Name: String(body['Name']), Labels: body['Labels'] as Record<string, string> });
    return id;
  }
  removeNetwork(id: string): void {
    const n = this.networks.find((x) => x.Id === id)!;
    this.calls.push(`network rm ${n.Name}`);
    this.networks = this.networks.filter((x) => x !== n);
  }
  listVolumes(filters: Record<string, string[]>): VolumeInfo[] {
    return this.volumes.filter((v) => hasLabels(v.Labels, filters['label'] ?? []));
  }
  createVolume(name: string, labels: Record<string, string>): void {
    this.calls.push(`volume create ${name}`);
    this.volumes.push({ Name: name, Labels: labels });
  }
  removeVolume(name: string): void {
    this.calls.push(`volume rm ${name}`);
    this.volumes = this.volumes.filter((v) => v.Name !== name);
  }
  inspectImage(ref: string): ImageInfo | null {
    return this.images.has(ref) ? { Id: `sha256:${ref.replace(/[^a-z0-9]/g, '')}`, RepoTags: [ref] } : null;
  }
  pullImage(ref: string): void {
    this.calls.push(`pull ${ref}`);
    if (ref.startsWith('missing')) throw new Error(`pull access denied for ${ref}`);
    this.images.add(ref);
  }
  builds: BuildRequest[] = [];
  buildImage(req: BuildRequest): void {
    this.calls.push(`build ${req.tags.join(',')}`);
    this.builds.push(req);
    if (req.dockerfile === 'Broken.Dockerfile') throw new Error('Dockerfile:1: unknown instruction: FORM');
    for (const t of req.tags) this.images.add(t);
  }
  removeImage(ref: string): void {
    this.calls.push(`rmi ${ref}`);
    this.images.delete(ref);
  }
  supportsNetworks(): boolean {
    return this.networksSupported;
  }
  top(): { Titles: string[]; Processes: string[][] } {
    return { Titles: ['PID', 'CMD'], Processes: [['1', 'sleep']] };
  }
}
