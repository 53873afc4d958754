// dockerd's networks, as Docker's daemon has them: the default bridge (docker0, 172.17.0.0/16),
// host and none, and user-defined bridge networks (docker network create), each with a bridge
// device of its own (br-<id>), a subnet of its own and the embedded name server for its
// containers. A container gets its endpoints (a veth pair per network, an address, its published
// ports) when it starts and loses them when it exits; the addresses and ports in use are read
// from the running containers' records, so they survive a daemon restart without a database.
// Every change is all or nothing: a failure undoes what the step made (veth, sandbox, ports,
// rules, bridge) before the error is reported.

import type { Syscalls } from '../../sys/syscalls.ts';
import { mkdirp, readJson, writeFileAtomic } from '../../util/fsutil.ts';
import { hex, newId } from '../../util/ids.ts';
import { isErrno } from '../../sys/errors.ts';
import { Conflict, Forbidden, InvalidParameter, NotFound, SystemError } from '../errdefs.ts';
import type { ContainerRecord, EndpointSettings, HostConfig, NetworkSettings } from '../model.ts';
import {
  allocate, checkOverlap, checkRequestedIp, formatCidr, gatewayOf, IpamError, macFor, nextPool, parseCidr, PoolExhaustedError, validatePool, type Subnet,
} from '../../net/ipam.ts';
import { BridgeDriver } from '../../net/bridge.ts';
import { buildRules, Nftables, type BridgeNetwork, type PortForward } from '../../net/nftables.ts';
import { splitPortKey, type PortBinding, type PortMap } from '../../net/ports.ts';
import { PortError, PortMapper } from './portmap.ts';
import { EmbeddedDns } from './dns.ts';
import type { Events } from '../events.ts';
import { DEFAULT_SUBNET, endpoint, hostVethName, type EndpointRequest, type NetworkCreateRequest, type NetworkOptions, type NetworkRecord } from './records.ts';
import { hostNameservers, useEmbeddedDns, writeContainerFiles } from './container-files.ts';
import { describeNetwork, filterNetworks, labelsMatch } from './views.ts';

export { DEFAULT_SUBNET, hostVethName, type EndpointRequest, type NetworkCreateRequest, type NetworkOptions, type NetworkRecord } from './records.ts';

const PREDEFINED = ['bridge', 'host', 'none'];
const VALID_NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export class Networks {
  readonly driver: BridgeDriver;
  private nets: NetworkRecord[];
  private nft: Nftables | null;
  /** Why packet rules cannot be programmed here (no nf_tables), or null. */
  private nftError: string | null = null;
  readonly ports: PortMapper;
  readonly dns: EmbeddedDns;
  events: Events | null = null;
  /** Saves a container record the network service changed outside a start or stop (connect, disconnect). */
  save: (c: ContainerRecord) => void = () => {};

  constructor(
    private sys: Syscalls,
    private opts: NetworkOptions,
    private containers: () => Iterable<ContainerRecord>,
    deps: { nft?: Nftables | null; holdPorts?: boolean } = {},
  ) {
    this.driver = new BridgeDriver(sys);
    this.nft = deps.nft === undefined ? new Nftables(sys) : deps.nft;
    this.ports = new PortMapper(sys, deps.holdPorts ?? true);
    this.dns = new EmbeddedDns(sys, { lookup: (k, n) => this.lookup(k, n), upstreams: (k) => this.upstreams(k) });
    this.nets = this.load();
    mkdirp(sys, this.netnsDir, 0o711);
  }

  private get netnsDir(): string {
    return `${this.opts.execRoot}/netns`;
  }

  private get file(): string {
    return `${this.opts.root}/network/networks.json`;
  }

  /** Network IDs are made once and kept, as Docker keeps them in its network store. */
  private load(): NetworkRecord[] {
    let nets: NetworkRecord[];
    try {
      nets = readJson<NetworkRecord[]>(this.sys, this.file);
    } catch {
      const now = new Date().toISOString();
      const id = (): string => newId((k) => this.sys.randomBytes(k));
      nets = [
        { Name: 'bridge', Id: id(), Created: now, Driver: 'bridge' },
        { Name: 'host', Id: id(), Created: now, Driver: 'host' },
        { Name: 'none', Id: id(), Created: now, Driver: 'null' },
      ];
      mkdirp(this.sys, `${this.opts.root}/network`, 0o700);
      writeFileAtomic(this.sys, this.file, JSON.stringify(nets));
    }
    const def = nets.find((n) => n.Name === 'bridge');
    if (def) Object.assign(def, { Subnet: DEFAULT_SUBNET, Gateway: gatewayOf(parseCidr(DEFAULT_SUBNET)), Bridge: this.opts.bridge, UserSubnet: false });
    return nets;
  }

  private persist(): void {
    writeFileAtomic(this.sys, this.file, JSON.stringify(this.nets));
  }

  private get hasDefaultBridge(): boolean {
    return this.opts.bridge !== 'none';
  }

  /** Brings up the bridges and the packet rules; run once at daemon start. */
  init(): void {
    for (const n of this.bridgeNets()) {
      try {
        this.driver.ensureBridge(n.Bridge!, n.Gateway!, parseCidr(n.Subnet!).prefixLen);
      } catch (e) {
        if (n.Name === 'bridge') throw e;
      }
    }
    // containers an earlier daemon left running keep their ports
    for (const c of this.containers()) {
      if (!c.State.Running) continue;
      const wanted: Record<string, PortBinding[]> = {};
      for (const [k, v] of Object.entries(c.NetworkSettings.Ports ?? {})) if (v) wanted[k] = v;
      try {
        this.ports.allocate(c.Id, wanted);
      } catch {
        // taken meanwhile: the rules still forward it
      }
    }
    try {
      this.syncRules();
    } catch (e) {
      this.nftError = (e as Error).message;
    }
    // an earlier daemon's name servers went with it: containers still running get theirs back
    for (const c of this.containers()) {
      if (!c.State.Running || !c.NetworkSettings.SandboxKey) continue;
      if (!Object.values(c.NetworkSettings.Networks).some((ep) => ep.IPAddress && this.userDefined(this.nets.find((n) => n.Id === ep.NetworkID) ?? this.nets[0]!))) continue;
      try {
        this.dns.start(c.NetworkSettings.SandboxKey);
      } catch {
        // its namespace is gone: the container is about to be found exited
      }
    }
  }

  /** Bridge networks whose device exists (the default one only with a default bridge). */
  private bridgeNets(): NetworkRecord[] {
    return this.nets.filter((n) => n.Driver === 'bridge' && (n.Name !== 'bridge' || this.hasDefaultBridge));
  }

  /** The networks this daemon has (without a default bridge, "bridge" is not listed). */
  available(): NetworkRecord[] {
    return this.nets.filter((n) => n.Name !== 'bridge' || this.hasDefaultBridge);
  }

  /** The network a --network value names: "default" is the bridge, or none when there is no bridge. */
  private networkName(mode: string): string {
    const name = mode === '' || mode === 'default' ? 'bridge' : mode;
    return name === 'bridge' && !this.hasDefaultBridge ? 'none' : name;
  }

  /** By full name, full ID, or unique ID prefix (Docker's order). */
  find(ref: string): NetworkRecord {
    const nets = this.available();
    const exact = nets.find((n) => n.Name === ref) ?? nets.find((n) => n.Id === ref);
    if (exact) return exact;
    const byPrefix = ref ? nets.filter((n) => n.Id.startsWith(ref)) : [];
    if (byPrefix.length === 1) return byPrefix[0]!;
    if (byPrefix.length > 1) throw new InvalidParameter(`network ${ref} is ambiguous (${byPrefix.length} matches found on name)`);
    throw new NotFound(`network ${ref} not found`);
  }

  private userDefined(n: NetworkRecord): boolean {
    return !PREDEFINED.includes(n.Name);
  }

  // ---- containers: create-time settings ----

  /**
   * NetworkSettings of a new container (Docker's keys, no endpoint yet), after Docker's create-time
   * checks of the network mode and the endpoint settings.
   */
  initialSettings(mode: string, endpoints: Record<string, EndpointRequest> = {}, hc: Pick<HostConfig, 'PortBindings' | 'PublishAllPorts'> = {}, hostname = ''): NetworkSettings {
    const name = this.networkName(mode);
    const networks: Record<string, EndpointSettings> = {};
    if (name.startsWith('container:')) {
      if (hc.PortBindings && Object.keys(hc.PortBindings).length > 0 || hc.PublishAllPorts) throw new InvalidParameter('conflicting options: port publishing and the container type network mode');
      if (hostname) throw new InvalidParameter('conflicting options: hostname and the network mode');
      if (!name.slice('container:'.length)) throw new InvalidParameter('invalid container format container:<name|id>');
    } else {
      const n = this.find(name);
      const req = endpoints[name] ?? endpoints[n.Name] ?? endpoints[n.Id] ?? Object.values(endpoints)[0] ?? {};
      this.checkEndpointRequest(n, req);
      networks[n.Name] = endpoint(n.Id, req);
    }
    return {
      Bridge: '', SandboxID: '', SandboxKey: '', Ports: {}, HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0,
      SecondaryIPAddresses: null, SecondaryIPv6Addresses: null, EndpointID: '', Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
      IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', MacAddress: '', Networks: networks,
    };
  }

  private checkEndpointRequest(n: NetworkRecord, req: EndpointRequest): void {
    const ip = req.IPAMConfig?.IPv4Address;
    if (req.Aliases && req.Aliases.length > 0 && !this.userDefined(n)) throw new InvalidParameter('network-scoped alias is supported only for containers in user defined networks');
    if (!ip) return;
    if (!this.userDefined(n)) throw new InvalidParameter('user specified IP address is supported on user defined networks only');
    if (!n.UserSubnet) throw new InvalidParameter('invalid endpoint settings:\nuser specified IP address is supported only when connecting to networks with user configured subnets');
    try {
      checkRequestedIp(ip, parseCidr(n.Subnet!), n.Gateway!, []);
    } catch (e) {
      throw new InvalidParameter((e as Error).message);
    }
  }

  // ---- containers: start and stop ----

  private sandboxPath(c: ContainerRecord): string {
    return `${this.netnsDir}/${c.NetworkSettings.SandboxID.slice(0, 12)}`;
  }

  /** Running containers' endpoints on network n (except the one named). */
  private addressesOn(n: NetworkRecord, except: string): string[] {
    const out: string[] = [];
    for (const o of this.containers()) {
      if (o.Id === except || !o.State.Running) continue;
      const ep = o.NetworkSettings.Networks[n.Name];
      if (ep && ep.NetworkID === n.Id && ep.IPAddress) out.push(ep.IPAddress);
    }
    return out;
  }

  /**
   * Gives a starting container its network: returns the namespace path runc joins (undefined:
   * runc makes a new one with lo only) and writes the container's /etc/hosts and resolv.conf.
   */
  attach(c: ContainerRecord): string | undefined {
    const name = this.networkName(c.HostConfig.NetworkMode);
    if (name === 'host') {
      writeContainerFiles(this.sys, c, null, false);
      return `/proc/${this.sys.getpid()}/ns/net`;
    }
    if (name.startsWith('container:')) return this.joinContainer(name.slice('container:'.length));
    // a daemon without a default bridge (dockerd --bridge none) leaves the namespace to runc
    if (name === 'none' && !this.hasDefaultBridge) {
      writeContainerFiles(this.sys, c, null, false);
      return undefined;
    }
    const ns = c.NetworkSettings;
    ns.SandboxID = hex(this.sys.randomBytes(32));
    ns.SandboxKey = this.sandboxPath(c);
    if (name === 'none') {
      this.driver.createSandbox(ns.SandboxKey);
      writeContainerFiles(this.sys, c, null, false);
      return ns.SandboxKey;
    }
    // the primary network first, then the ones connected while the container was stopped
    const primary = this.find(name);
    const names = [primary.Name, ...Object.keys(ns.Networks).filter((k) => k !== primary.Name)];
    const made: { net: NetworkRecord; veth: string }[] = [];
    try {
      this.driver.createSandbox(ns.SandboxKey);
      names.forEach((netName, i) => {
        const n = this.find(ns.Networks[netName]?.NetworkID ?? netName);
        const ep = this.plugEndpoint(c, n, `eth${i}`, i === 0 && !n.Internal);
        made.push({ net: n, veth: hostVethName(ep.EndpointID) });
      });
      if (!primary.Internal) this.publish(c, primary);
      this.syncRules();
    } catch (e) {
      for (const m of made) this.driver.removeEndpoint(m.veth);
      this.ports.releaseOwner(c.Id);
      this.driver.removeSandbox(ns.SandboxKey);
      this.clearSettings(c);
      try {
        this.syncRules();
      } catch {
        // the error being reported matters more
      }
      if (e instanceof PortError) {
        throw new SystemError(`failed to set up container networking: driver failed programming external connectivity on endpoint ${c.Name.replace(/^\//, '')} (${hex(this.sys.randomBytes(32))}): ${e.message}`);
      }
      if (e instanceof IpamError || e instanceof PoolExhaustedError) throw new SystemError(`failed to set up container networking: ${e.message}`);
      if (e instanceof NotFound || e instanceof InvalidParameter || e instanceof SystemError) throw e;
      throw new SystemError(`failed to set up container networking: ${(e as Error).message}`);
    }
    const userNet = names.some((k) => this.userDefined(this.find(ns.Networks[k]!.NetworkID)));
    const primaryEp = ns.Networks[primary.Name]!;
    writeContainerFiles(this.sys, c, primaryEp.IPAddress, userNet);
    if (userNet) {
      try {
        this.dns.start(ns.SandboxKey);
      } catch {
        // without it names do not resolve; the container still runs, as Docker's does
      }
    }
    for (const m of made) this.events?.emit('network', 'connect', m.net.Id, { container: c.Id, name: m.net.Name, type: m.net.Driver });
    return ns.SandboxKey;
  }

  /** One endpoint of a container in its sandbox: address, veth pair, settings. */
  private plugEndpoint(c: ContainerRecord, n: NetworkRecord, ifname: string, defaultRoute: boolean): EndpointSettings {
    if (n.Driver !== 'bridge') throw new InvalidParameter(`container cannot be connected to network ${n.Name}`);
    const ns = c.NetworkSettings;
    const subnet = parseCidr(n.Subnet!);
    const used = this.addressesOn(n, c.Id);
    const wanted = ns.Networks[n.Name]?.IPAMConfig?.IPv4Address;
    let ip: string;
    if (wanted) {
      checkRequestedIp(wanted, subnet, n.Gateway!, used);
      ip = wanted;
    } else ip = allocate(subnet, n.Gateway!, used, n.Name);
    const prev = ns.Networks[n.Name] ?? endpoint(n.Id);
    const ep: EndpointSettings = {
      ...prev, NetworkID: n.Id, EndpointID: hex(this.sys.randomBytes(32)), Gateway: n.Internal ? '' : n.Gateway!, IPAddress: ip, IPPrefixLen: subnet.prefixLen, MacAddress: macFor(ip),
      DNSNames: this.userDefined(n) ? [c.Name.replace(/^\//, ''), ...(prev.Aliases ?? []), c.Id.slice(0, 12)] : null,
    };
    this.driver.addEndpoint(ns.SandboxKey, { bridge: n.Bridge!, hostVeth: hostVethName(ep.EndpointID), ifname, ip, prefixLen: subnet.prefixLen, mac: ep.MacAddress, gateway: defaultRoute ? n.Gateway! : null });
    ns.Networks[n.Name] = ep;
    // the top-level fields are the default bridge's only, as in Docker
    if (n.Name === 'bridge') Object.assign(ns, { EndpointID: ep.EndpointID, Gateway: ep.Gateway, IPAddress: ip, IPPrefixLen: ep.IPPrefixLen, MacAddress: ep.MacAddress });
    return ep;
  }

  /** Takes the host ports of a starting container (-p, and -P for every exposed port). */
  private publish(c: ContainerRecord, n: NetworkRecord): void {
    const bindings = { ...(c.HostConfig.PortBindings ?? {}) };
    const exposed = Object.keys(c.Config.ExposedPorts ?? {});
    if (c.HostConfig.PublishAllPorts === true) for (const p of exposed) if (!bindings[p] || bindings[p]!.length === 0) bindings[p] = [{ HostIp: '', HostPort: '' }];
    const wanted = Object.fromEntries(Object.entries(bindings).filter(([, v]) => v && v.length > 0));
    if (Object.keys(wanted).length > 0 && this.nftError) throw new PortError(`packet rules are not available in this kernel: ${this.nftError}`);
    const { ports } = this.ports.allocate(c.Id, wanted);
    const all: PortMap = {};
    for (const p of [...exposed, ...Object.keys(bindings)]) all[p] = null;
    Object.assign(all, ports);
    c.NetworkSettings.Ports = all;
    void n;
  }

  private joinContainer(ref: string): string {
    const other = [...this.containers()].find((o) => o.Id === ref || o.Name === `/${ref}` || (ref.length >= 3 && o.Id.startsWith(ref)));
    if (!other) throw new NotFound(`No such container: ${ref}`);
    if (!other.State.Running) throw new Conflict(`cannot join network namespace of a non running container: ${other.Id}`);
    return `/proc/${other.State.Pid}/ns/net`;
  }

  private clearSettings(c: ContainerRecord): void {
    const ns = c.NetworkSettings;
    for (const [k, ep] of Object.entries(ns.Networks)) {
      ns.Networks[k] = { ...endpoint(ep.NetworkID, { IPAMConfig: ep.IPAMConfig, Aliases: ep.Aliases }) };
    }
    Object.assign(ns, { SandboxID: '', SandboxKey: '', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '', Ports: {} });
  }

  /** Takes a stopped container's endpoints away (veth pairs, namespace, addresses, ports); safe to repeat. */
  detach(c: ContainerRecord): void {
    const ns = c.NetworkSettings;
    const hadPorts = this.ports.heldBy(c.Id).length > 0;
    this.ports.releaseOwner(c.Id);
    if (!ns.SandboxKey) {
      if (hadPorts) this.trySync();
      return;
    }
    this.dns.stop(ns.SandboxKey);
    const gone: EndpointSettings[] = [];
    for (const ep of Object.values(ns.Networks)) {
      if (ep.EndpointID) gone.push(ep);
    }
    // The veths go once this turn of the event loop is over: the kernel's deletion waits for RCU
    // grace periods (~30 ms in the emulator), and a `docker run --rm` or `docker stop` waiting
    // for this exit need not wait for it. Their addresses are free at once (clearSettings).
    const veths = gone.map((ep) => hostVethName(ep.EndpointID));
    this.sys.setTimer(0, () => {
      for (const veth of veths) {
        try {
          this.driver.removeEndpoint(veth);
        } catch {
          // the namespace's end (and so the pair) goes when its last process does
        }
      }
    });
    this.driver.removeSandbox(ns.SandboxKey);
    this.clearSettings(c);
    this.trySync();
    for (const ep of gone) {
      const n = this.nets.find((x) => x.Id === ep.NetworkID);
      if (n) this.events?.emit('network', 'disconnect', n.Id, { container: c.Id, name: n.Name, type: n.Driver });
    }
  }

  private trySync(): void {
    try {
      this.syncRules();
    } catch {
      // rules are rebuilt whole at the next change
    }
  }

  /** Whether this daemon has programmed the table (so an empty state still needs a rewrite). */
  private programmed = false;
  /** The networks and forwards the table was last programmed with (null: unknown, send it). */
  private appliedKey: string | null = null;

  /** Programs the packet rules for the bridges and the running containers' published ports. */
  syncRules(): void {
    if (!this.nft) return;
    const nets: BridgeNetwork[] = this.bridgeNets().map((n) => ({ bridge: n.Bridge!, subnet: n.Subnet!, internal: n.Internal === true }));
    const forwards: PortForward[] = [];
    for (const c of this.containers()) {
      if (!c.State.Running && this.ports.heldBy(c.Id).length === 0) continue;
      const primary = c.NetworkSettings.Networks[this.networkName(c.HostConfig.NetworkMode)];
      if (!primary?.IPAddress) continue;
      for (const [key, bindings] of Object.entries(c.NetworkSettings.Ports ?? {})) {
        const [port, proto] = splitPortKey(key);
        for (const b of bindings ?? []) forwards.push({ proto: proto as PortForward['proto'], hostIp: b.HostIp, hostPort: Number(b.HostPort), ip: primary.IPAddress, port });
      }
    }
    // no bridge and nothing published (dockerd --bridge none): nothing to program
    if (nets.length === 0 && forwards.length === 0 && !this.programmed) return;
    // A container without published ports changes nothing here: building and sending the whole
    // table again cost ~50 ms of the guest's time on every start and every exit. Like Docker's
    // iptables chains, rules someone else changed meanwhile are not put back until ours change.
    const key = JSON.stringify([nets, forwards]);
    if (key === this.appliedKey) return;
    this.appliedKey = null;
    try {
      this.nft.apply(buildRules(nets, forwards));
      this.nftError = null;
      this.programmed = true;
      this.appliedKey = key;
    } catch (e) {
      // no NETLINK_NETFILTER at all (qemu-user in the native tests): bridges and names work,
      // isolation cannot, and publishing a port says why it cannot
      if (isErrno(e, 'EPROTONOSUPPORT') || isErrno(e, 'EAFNOSUPPORT')) {
        this.nftError = (e as Error).message;
        if (forwards.length > 0) throw e;
        return;
      }
      if (forwards.length > 0 || nets.length > 1 || this.programmed) throw e;
    }
  }

  // ---- embedded DNS ----

  private containerOfSandbox(key: string): ContainerRecord | undefined {
    for (const c of this.containers()) if (c.State.Running && c.NetworkSettings.SandboxKey === key) return c;
    return undefined;
  }

  /** A name as containers sharing a user-defined network with the asking one see it. */
  private lookup(sandboxKey: string, name: string): string[] | null {
    const me = this.containerOfSandbox(sandboxKey);
    if (!me) return null;
    const out: string[] = [];
    for (const [netName, mine] of Object.entries(me.NetworkSettings.Networks)) {
      if (!mine.IPAddress || PREDEFINED.includes(netName)) continue;
      for (const o of this.containers()) {
        const ep = o.NetworkSettings.Networks[netName];
        if (!o.State.Running || !ep?.IPAddress || ep.NetworkID !== mine.NetworkID) continue;
        const names = [o.Name.replace(/^\//, ''), ...(ep.Aliases ?? []), o.Id.slice(0, 12)].map((x) => x.toLowerCase());
        if (names.includes(name) && !out.includes(ep.IPAddress)) out.push(ep.IPAddress);
      }
    }
    return out.length > 0 ? out : null;
  }

  private upstreams(sandboxKey: string): string[] {
    const me = this.containerOfSandbox(sandboxKey);
    const dns = me?.HostConfig.Dns ?? [];
    return dns.length ? dns : hostNameservers(this.sys);
  }

  // ---- docker network create / rm / connect / disconnect / prune ----

  create(req: NetworkCreateRequest): { Id: string; Warning: string } {
    const name = req.Name ?? '';
    if (!name) throw new InvalidParameter('network name cannot be empty');
    if (!VALID_NETWORK_NAME.test(name)) throw new InvalidParameter(`invalid network name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const driver = req.Driver || 'bridge';
    if (driver === 'host' || driver === 'null') throw new Conflict(`only one instance of "${driver}" network is allowed`);
    if (driver !== 'bridge') throw new NotFound(`could not find plugin ${driver} in v1 plugin registry: plugin not found`);
    if (this.nets.some((n) => n.Name === name)) throw new Conflict(`network with name ${name} already exists`);
    const configs = req.IPAM?.Config ?? [];
    const v4 = configs.filter((cfg) => !cfg.Subnet || !cfg.Subnet.includes(':'));
    if (v4.length > 1) throw new InvalidParameter('invalid network config:\nonly one IPv4 subnet is supported by this engine');
    const taken: Subnet[] = this.bridgeNets().map((n) => parseCidr(n.Subnet!));
    let subnet: Subnet;
    let gateway: string;
    let user = false;
    try {
      const pool = validatePool({ subnet: v4[0]?.Subnet, gateway: v4[0]?.Gateway });
      if (pool) {
        checkOverlap(pool.subnet, taken);
        ({ subnet, gateway } = pool);
        user = true;
      } else {
        subnet = nextPool(taken);
        gateway = gatewayOf(subnet);
      }
    } catch (e) {
      if (e instanceof IpamError && /Pool overlaps|fully subnetted/.test(e.message)) throw new Conflict(e.message);
      if (e instanceof IpamError) throw new InvalidParameter(e.message);
      throw e;
    }
    const id = newId((k) => this.sys.randomBytes(k));
    const rec: NetworkRecord = {
      Name: name, Id: id, Created: new Date().toISOString(), Driver: 'bridge', Internal: req.Internal === true, Attachable: req.Attachable === true,
      Labels: { ...(req.Labels ?? {}) }, Options: { ...(req.Options ?? {}) }, Subnet: formatCidr(subnet), Gateway: gateway, UserSubnet: user,
      Bridge: req.Options?.['com.docker.network.bridge.name'] || `br-${id.slice(0, 12)}`,
    };
    try {
      this.driver.ensureBridge(rec.Bridge!, gateway, subnet.prefixLen);
    } catch (e) {
      throw new SystemError(`failed to create network ${name}: ${(e as Error).message}`);
    }
    this.nets.push(rec);
    try {
      this.syncRules();
      this.persist();
    } catch (e) {
      this.nets = this.nets.filter((n) => n !== rec);
      try {
        this.driver.deleteBridge(rec.Bridge!);
      } catch {
        // reported below
      }
      this.trySync();
      throw new SystemError(`failed to create network ${name}: ${(e as Error).message}`);
    }
    this.events?.emit('network', 'create', id, { name, type: 'bridge' });
    return { Id: id, Warning: '' };
  }

  /** Running containers with an endpoint on n. */
  private endpointsOn(n: NetworkRecord): ContainerRecord[] {
    return [...this.containers()].filter((c) => c.State.Running && c.NetworkSettings.Networks[n.Name]?.NetworkID === n.Id && c.NetworkSettings.Networks[n.Name]!.EndpointID);
  }

  remove(ref: string): void {
    const n = this.find(ref);
    if (!this.userDefined(n)) throw new Forbidden(`${n.Name} is a pre-defined network and cannot be removed`);
    const users = this.endpointsOn(n);
    if (users.length > 0) {
      const u = users[0]!;
      throw new Forbidden(`error while removing network: network ${n.Name} has active endpoints (name:"${u.Name.replace(/^\//, '')}" id:"${u.NetworkSettings.Networks[n.Name]!.EndpointID.slice(0, 12)}")`);
    }
    this.nets = this.nets.filter((x) => x !== n);
    this.persist();
    try {
      this.driver.deleteBridge(n.Bridge!);
    } finally {
      this.trySync();
    }
    this.events?.emit('network', 'destroy', n.Id, { name: n.Name, type: n.Driver });
  }

  prune(filters: Record<string, string[]> = {}): string[] {
    const deleted: string[] = [];
    for (const n of this.available()) {
      if (!this.userDefined(n) || this.endpointsOn(n).length > 0 || !labelsMatch(n, filters)) continue;
      this.remove(n.Id);
      deleted.push(n.Name);
    }
    return deleted;
  }

  connect(ref: string, c: ContainerRecord, req: EndpointRequest = {}): void {
    const n = this.find(ref);
    const mode = this.networkName(c.HostConfig.NetworkMode);
    if (mode === 'host' || n.Name === 'host') throw new Forbidden('container cannot be disconnected from host network or connected to host network');
    if (mode === 'none' || mode.startsWith('container:') || n.Name === 'none') throw new Forbidden('container sharing network namespace with another container or host cannot be connected to any other network');
    if (c.NetworkSettings.Networks[n.Name]) throw new Forbidden(`endpoint with name ${c.Name.replace(/^\//, '')} already exists in network ${n.Name}`);
    this.checkEndpointRequest(n, req);
    c.NetworkSettings.Networks[n.Name] = endpoint(n.Id, req);
    if (c.State.Running && c.NetworkSettings.SandboxKey) {
      const ifname = `eth${Object.values(c.NetworkSettings.Networks).filter((e) => e.EndpointID).length}`;
      try {
        this.plugEndpoint(c, n, ifname, false);
        this.syncRules();
      } catch (e) {
        const ep = c.NetworkSettings.Networks[n.Name];
        if (ep?.EndpointID) this.driver.removeEndpoint(hostVethName(ep.EndpointID));
        delete c.NetworkSettings.Networks[n.Name];
        this.trySync();
        if (e instanceof IpamError) throw new InvalidParameter(e.message);
        throw e;
      }
      if (this.userDefined(n)) {
        try {
          this.dns.start(c.NetworkSettings.SandboxKey);
          useEmbeddedDns(this.sys, c);
        } catch {
          // as at start
        }
      }
      this.events?.emit('network', 'connect', n.Id, { container: c.Id, name: n.Name, type: n.Driver });
    }
    this.save(c);
  }

  disconnect(ref: string, c: ContainerRecord): void {
    const n = this.find(ref);
    if (n.Name === 'host') throw new Forbidden('container cannot be disconnected from host network or connected to host network');
    const ep = c.NetworkSettings.Networks[n.Name];
    if (!ep) throw new Forbidden(`container ${c.Id} is not connected to network ${n.Name}`);
    if (ep.EndpointID) {
      this.driver.removeEndpoint(hostVethName(ep.EndpointID));
      if (n.Name === 'bridge') Object.assign(c.NetworkSettings, { EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '' });
    }
    delete c.NetworkSettings.Networks[n.Name];
    this.trySync();
    if (ep.EndpointID) this.events?.emit('network', 'disconnect', n.Id, { container: c.Id, name: n.Name, type: n.Driver });
    this.save(c);
  }

  // ---- docker network ls / inspect (views.ts) ----

  /** GET /networks and /networks/ID: Docker's network objects, with the running containers on each. */
  describe(n: NetworkRecord): Record<string, unknown> {
    return describeNetwork(n, this.containers(), this.opts.bridge);
  }

  list(filters: Record<string, string[]> = {}): Record<string, unknown>[] {
    return filterNetworks(this.available(), filters, (n) => this.userDefined(n), (n) => this.endpointsOn(n).length > 0).map((n) => this.describe(n));
  }

  inspect(ref: string): Record<string, unknown> {
    return this.describe(this.find(ref));
  }
}
