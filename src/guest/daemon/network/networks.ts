// dockerd's networks: the default bridge (docker0, 172.17.0.0/16), host and none, as Docker's
// daemon has them. A container on the bridge gets its endpoint when it starts and loses it when
// it exits; the addresses in use are read from the running containers' records, so they survive
// a daemon restart without a database of their own.

import type { Syscalls } from '../../sys/syscalls.ts';
import { mkdirp, readJson, writeFileAtomic } from '../../util/fsutil.ts';
import { hex, newId } from '../../util/ids.ts';
import { Conflict, NotFound, SystemError } from '../errdefs.ts';
import type { ContainerRecord, EndpointSettings, NetworkSettings } from '../model.ts';
import { hostsFile } from '../ocispec.ts';
import { allocate, gatewayOf, macFor, parseCidr, PoolExhaustedError, type Subnet } from '../../net/ipam.ts';
import { BridgeDriver } from '../../net/bridge.ts';

export const DEFAULT_SUBNET = '172.17.0.0/16';

export interface NetworkOptions {
  /** The bridge's name (docker0), or "none": no bridge, containers get lo only (as dockerd --bridge none). */
  bridge: string;
  root: string;
  execRoot: string;
}

interface NetworkInfo {
  Name: string;
  Id: string;
  Created: string;
  Driver: string;
}

function endpoint(networkId: string): EndpointSettings {
  return {
    IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', DriverOpts: null, NetworkID: networkId, EndpointID: '', Gateway: '',
    IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DNSNames: null,
  };
}


export class Networks {
  readonly driver: BridgeDriver | null;
  readonly subnet: Subnet = parseCidr(DEFAULT_SUBNET);
  readonly gateway = gatewayOf(this.subnet);
  private nets: NetworkInfo[];

  constructor(
    private sys: Syscalls,
    private opts: NetworkOptions,
    private containers: () => Iterable<ContainerRecord>,
  ) {
    this.driver = opts.bridge === 'none' ? null : new BridgeDriver(sys, opts.bridge);
    this.nets = this.loadIds();
    mkdirp(sys, this.netnsDir, 0o711);
  }

  private get netnsDir(): string {
    return `${this.opts.execRoot}/netns`;
  }

  /** Network IDs are made once and kept, as Docker keeps them in its network store. */
  private loadIds(): NetworkInfo[] {
    const file = `${this.opts.root}/network/networks.json`;
    let nets: NetworkInfo[] = [];
    try {
      nets = readJson<NetworkInfo[]>(this.sys, file);
    } catch {
      const now = new Date().toISOString();
      const id = (): string => newId((k) => this.sys.randomBytes(k));
      nets = [
        { Name: 'bridge', Id: id(), Created: now, Driver: 'bridge' },
        { Name: 'host', Id: id(), Created: now, Driver: 'host' },
        { Name: 'none', Id: id(), Created: now, Driver: 'null' },
      ];
      mkdirp(this.sys, `${this.opts.root}/network`, 0o700);
      writeFileAtomic(this.sys, file, JSON.stringify(nets));
    }
    return nets;
  }

  /** Brings up the bridge; run once at daemon start. */
  init(): void {
    this.driver?.ensureBridge(this.gateway, this.subnet.prefixLen);
  }

  /** The networks this daemon has (without a bridge, none is listed: dockerd --bridge none). */
  available(): NetworkInfo[] {
    return this.nets.filter((n) => n.Name !== 'bridge' || this.driver);
  }

  /** The network a --network value names: "default" is the bridge, or none when there is no bridge (dockerd --bridge none). */
  private networkName(mode: string): string {
    const name = mode === '' || mode === 'default' ? 'bridge' : mode;
    return name === 'bridge' && !this.driver ? 'none' : name;
  }

  private byName(name: string): NetworkInfo {
    const n = this.available().find((x) => x.Name === name || x.Id === name);
    if (!n) throw new NotFound(`network ${name} not found`);
    return n;
  }

  /** NetworkSettings of a new container (Docker's keys, no endpoint yet); rejects unknown networks. */
  initialSettings(mode: string): NetworkSettings {
    const name = this.networkName(mode);
    const networks: Record<string, EndpointSettings> = {};
    if (!name.startsWith('container:')) networks[name] = endpoint(this.byName(name).Id);
    return {
      Bridge: '', SandboxID: '', SandboxKey: '', Ports: {}, HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0,
      SecondaryIPAddresses: null, SecondaryIPv6Addresses: null, EndpointID: '', Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
      IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', MacAddress: '', Networks: networks,
    };
  }

  /**
   * Gives a starting container its network: returns the namespace path runc joins (undefined:
   * runc makes a new one with lo only) and writes the container's /etc/hosts with its address.
   */
  attach(c: ContainerRecord): string | undefined {
    const name = this.networkName(c.HostConfig.NetworkMode);
    if (name === 'host') return `/proc/${this.sys.getpid()}/ns/net`;
    if (name.startsWith('container:')) return this.joinContainer(name.slice('container:'.length));
    if (!this.driver) return undefined;
    const ns = c.NetworkSettings;
    ns.SandboxID = hex(this.sys.randomBytes(32));
    ns.SandboxKey = `${this.netnsDir}/${ns.SandboxID.slice(0, 12)}`;
    if (name === 'none') {
      this.driver.isolated(ns.SandboxKey);
      return ns.SandboxKey;
    }
    let ip: string;
    try {
      const used = [...this.containers()].filter((o) => o.Id !== c.Id && o.State.Running).map((o) => o.NetworkSettings.IPAddress);
      ip = allocate(this.subnet, this.gateway, used);
    } catch (e) {
      if (e instanceof PoolExhaustedError) throw new SystemError(e.message);
      throw e;
    }
    const ep: EndpointSettings = { ...endpoint(this.byName('bridge').Id), EndpointID: hex(this.sys.randomBytes(32)), Gateway: this.gateway, IPAddress: ip, IPPrefixLen: this.subnet.prefixLen, MacAddress: macFor(ip) };
    try {
      this.driver.connect(ns.SandboxKey, { hostVeth: hostVethName(ep.EndpointID), ip, prefixLen: ep.IPPrefixLen, mac: ep.MacAddress, gateway: this.gateway });
    } catch (e) {
      ns.SandboxID = '';
      ns.SandboxKey = '';
      throw new SystemError(`failed to set up container networking: ${(e as Error).message}`);
    }
    Object.assign(ns, { EndpointID: ep.EndpointID, Gateway: ep.Gateway, IPAddress: ip, IPPrefixLen: ep.IPPrefixLen, MacAddress: ep.MacAddress });
    ns.Networks['bridge'] = ep;
    writeFileAtomic(this.sys, c.HostsPath, hostsFile(c.Config.Hostname, ip));
    return ns.SandboxKey;
  }

  private joinContainer(ref: string): string {
    const other = [...this.containers()].find((o) => o.Id === ref || o.Name === `/${ref}` || (ref.length >= 3 && o.Id.startsWith(ref)));
    if (!other) throw new NotFound(`No such container: ${ref}`);
    if (!other.State.Running) throw new Conflict(`cannot join network of a non running container: ${other.Id}`);
    return `/proc/${other.State.Pid}/ns/net`;
  }

  /** Takes a stopped container's endpoint away (veth pair, namespace, address); safe to repeat. */
  detach(c: ContainerRecord): void {
    const ns = c.NetworkSettings;
    if (!ns.SandboxKey) return;
    const bridge = ns.Networks['bridge'];
    const veth = bridge?.EndpointID ? hostVethName(bridge.EndpointID) : null;
    try {
      this.driver?.disconnect(ns.SandboxKey, veth);
    } catch {
      // the namespace's end (and so the pair) goes when its last process does
    }
    Object.assign(ns, { SandboxID: '', SandboxKey: '', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '' });
    if (bridge) ns.Networks['bridge'] = endpoint(bridge.NetworkID);
  }

  /** GET /networks and /networks/ID: Docker's network objects, with the running containers on each. */
  describe(n: NetworkInfo): Record<string, unknown> {
    const members: Record<string, unknown> = {};
    for (const c of this.containers()) {
      const ep = c.NetworkSettings.Networks[n.Name];
      if (!c.State.Running || !ep || ep.NetworkID !== n.Id) continue;
      members[c.Id] = { Name: c.Name.replace(/^\//, ''), EndpointID: ep.EndpointID, MacAddress: ep.MacAddress, IPv4Address: ep.IPAddress ? `${ep.IPAddress}/${ep.IPPrefixLen}` : '', IPv6Address: '' };
    }
    const bridge = n.Name === 'bridge';
    return {
      Name: n.Name, Id: n.Id, Created: n.Created, Scope: 'local', Driver: n.Driver, EnableIPv6: false,
      IPAM: { Driver: 'default', Options: null, Config: bridge ? [{ Subnet: DEFAULT_SUBNET, Gateway: this.gateway }] : [] },
      Internal: false, Attachable: false, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false, Containers: members,
      Options: bridge
        ? { 'com.docker.network.bridge.default_bridge': 'true', 'com.docker.network.bridge.enable_icc': 'true', 'com.docker.network.bridge.enable_ip_masquerade': 'true', 'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0', 'com.docker.network.bridge.name': this.opts.bridge, 'com.docker.network.driver.mtu': '1500' }
        : {},
      Labels: {},
    };
  }

  list(): Record<string, unknown>[] {
    return this.available().map((n) => this.describe(n));
  }

  inspect(ref: string): Record<string, unknown> {
    const n = this.available().find((x) => x.Name === ref || x.Id === ref) ?? this.available().filter((x) => x.Id.startsWith(ref));
    if (!Array.isArray(n)) return this.describe(n);
    if (n.length !== 1 || ref === '') throw new NotFound(`network ${ref} not found`);
    return this.describe(n[0]!);
  }
}

/** The host end's name, vethXXXXXXX as Docker's, derived from the endpoint so it can be found again. */
export function hostVethName(endpointId: string): string {
  return `veth${endpointId.slice(0, 7)}`;
}
