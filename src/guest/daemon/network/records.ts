// What the network service keeps and is asked for: a network's record (root/network/networks.json),
// the endpoint and network-create requests, and a fresh endpoint's settings. Below networks.ts and
// its helpers (container-files.ts, views.ts), so they share the types without importing it.

import type { EndpointSettings } from '../model.ts';

export const DEFAULT_SUBNET = '172.17.0.0/16';

export interface NetworkOptions {
  /** The default bridge's name (docker0), or "none": no default bridge (as dockerd --bridge none). */
  bridge: string;
  root: string;
  execRoot: string;
}

/** A network as this daemon keeps it (root/network/networks.json). */
export interface NetworkRecord {
  Name: string;
  Id: string;
  Created: string;
  Driver: string;
  Internal?: boolean;
  Attachable?: boolean;
  Labels?: Record<string, string>;
  Options?: Record<string, string>;
  /** Bridge networks: subnet, gateway, whether the user chose the subnet, the bridge device. */
  Subnet?: string;
  Gateway?: string;
  UserSubnet?: boolean;
  Bridge?: string;
}

/** What a client asks for an endpoint (POST /containers/create's NetworkingConfig, network connect). */
export interface EndpointRequest {
  IPAMConfig?: { IPv4Address?: string } | null;
  Aliases?: string[] | null;
}

/** POST /networks/create. */
export interface NetworkCreateRequest {
  Name?: string;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  EnableIPv6?: boolean;
  Labels?: Record<string, string>;
  Options?: Record<string, string>;
  IPAM?: { Driver?: string; Config?: { Subnet?: string; Gateway?: string; IPRange?: string }[] | null; Options?: Record<string, string> | null };
}

export function endpoint(networkId: string, req: EndpointRequest = {}): EndpointSettings {
  const ip = req.IPAMConfig?.IPv4Address;
  return {
    IPAMConfig: ip ? { IPv4Address: ip } : null, Links: null, Aliases: req.Aliases && req.Aliases.length ? [...req.Aliases] : null, MacAddress: '', DriverOpts: null,
    NetworkID: networkId, EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DNSNames: null,
  };
}

/** The host end's name, vethXXXXXXX as Docker's, derived from the endpoint so it can be found again. */
export function hostVethName(endpointId: string): string {
  return `veth${endpointId.slice(0, 7)}`;
}

