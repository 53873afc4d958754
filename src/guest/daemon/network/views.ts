// docker network ls and inspect: a network record as the Engine API's network object (with the
// running containers on it), and ls's filters (name, id, driver, label, type, scope, dangling).

import { InvalidParameter } from '../errdefs.ts';
import type { ContainerRecord } from '../model.ts';
import type { NetworkRecord } from './records.ts';

/** Docker's network object; bridgeName: the default bridge's device (dockerd --bridge). */
export function describeNetwork(n: NetworkRecord, containers: Iterable<ContainerRecord>, bridgeName: string): Record<string, unknown> {
  const members: Record<string, unknown> = {};
  for (const c of containers) {
    const ep = c.NetworkSettings.Networks[n.Name];
    if (!c.State.Running || !ep || ep.NetworkID !== n.Id) continue;
    members[c.Id] = { Name: c.Name.replace(/^\//, ''), EndpointID: ep.EndpointID, MacAddress: ep.MacAddress, IPv4Address: ep.IPAddress ? `${ep.IPAddress}/${ep.IPPrefixLen}` : '', IPv6Address: '' };
  }
  const def = n.Name === 'bridge';
  const bridge = n.Driver === 'bridge';
  return {
    Name: n.Name, Id: n.Id, Created: n.Created, Scope: 'local', Driver: n.Driver, EnableIPv4: true, EnableIPv6: false,
    IPAM: { Driver: 'default', Options: def ? null : {}, Config: bridge ? [{ Subnet: n.Subnet, Gateway: n.Gateway }] : [] },
    Internal: n.Internal === true, Attachable: n.Attachable === true, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false, Containers: members,
    Options: def
      ? { 'com.docker.network.bridge.default_bridge': 'true', 'com.docker.network.bridge.enable_icc': 'true', 'com.docker.network.bridge.enable_ip_masquerade': 'true', 'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0', 'com.docker.network.bridge.name': bridgeName, 'com.docker.network.driver.mtu': '1500' }
      : { ...(n.Options ?? {}) },
    Labels: { ...(n.Labels ?? {}) },
  };
}

/** The networks docker network ls --filter keeps (Docker's semantics: values OR'ed, keys AND'ed). */
export function filterNetworks(
  nets: NetworkRecord[],
  filters: Record<string, string[]>,
  userDefined: (n: NetworkRecord) => boolean,
  hasEndpoints: (n: NetworkRecord) => boolean,
): NetworkRecord[] {
  for (const k of Object.keys(filters)) if (!['name', 'id', 'driver', 'label', 'type', 'scope', 'dangling'].includes(k)) throw new InvalidParameter(`invalid filter '${k}'`);
  const any = (k: string, pred: (v: string) => boolean): boolean => !filters[k]?.length || filters[k]!.some(pred);
  return nets.filter((n) =>
    any('name', (v) => n.Name.includes(v)) && any('id', (v) => n.Id.startsWith(v)) && any('driver', (v) => v === n.Driver) && labelsMatch(n, filters) &&
    any('type', (v) => (v === 'custom') === userDefined(n)) && any('scope', (v) => v === 'local') &&
    any('dangling', (v) => (v === 'true' || v === '1') === (userDefined(n) && !hasEndpoints(n))));
}

/** --filter label=KEY or label=KEY=VALUE, every one of them. */
export function labelsMatch(n: NetworkRecord, filters: Record<string, string[]>): boolean {
  return (filters['label'] ?? []).every((v) => {
    const i = v.indexOf('=');
    return i < 0 ? v in (n.Labels ?? {}) : n.Labels?.[v.slice(0, i)] === v.slice(i + 1);
  });
}
