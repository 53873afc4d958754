// docker network create/ls/inspect/rm/connect/disconnect/prune (moby's cli/command/network).

import { table } from '../../util/tabwriter.ts';
import { inspectJson, renderTemplate } from '../format.ts';
import { ApiResponseError } from '../client.ts';
import { f, CliError, confirm, type CommandTable } from './context.ts';

interface NetworkSummary {
  Id: string;
  Name: string;
  Driver: string;
  Scope: string;
  Internal: boolean;
  EnableIPv6: boolean;
  Created: string;
  Labels: Record<string, string>;
}

/** -f key=value flags as the API's filters JSON. */
export function filterQuery(specs: string[]): string {
  if (specs.length === 0) return '';
  const out: Record<string, Record<string, boolean>> = {};
  for (const s of specs) {
    const i = s.indexOf('=');
    if (i <= 0) throw new CliError(`invalid argument "${s}" for "-f, --filter" flag: bad format of filter (expected name=value)`, 125);
    (out[s.slice(0, i).trim().toLowerCase()] ??= {})[s.slice(i + 1)] = true;
  }
  return `filters=${encodeURIComponent(JSON.stringify(out))}`;
}

/** key=value list flags (--label, --opt) as a map. */
function keyValues(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of list) {
    const i = l.indexOf('=');
    out[i >= 0 ? l.slice(0, i) : l] = i >= 0 ? l.slice(i + 1) : '';
  }
  return out;
}

export const networkCommands: CommandTable = {
  'network create': {
    spec: {
      path: 'docker network create', usage: '[OPTIONS] NETWORK', description: 'Create a network', minArgs: 1, maxArgs: 1,
      flags: [
        f('driver', 'string', 'Driver to manage the Network', 'd', { default: 'bridge' }), f('subnet', 'list', 'Subnet in CIDR format that represents a network segment'),
        f('gateway', 'list', 'IPv4 or IPv6 Gateway for the master subnet'), f('ip-range', 'list', 'Allocate container ip from a sub-range'),
        f('internal', 'bool', 'Restrict external access to the network'), f('attachable', 'bool', 'Enable manual container attachment'),
        f('label', 'list', 'Set metadata on a network'), f('opt', 'list', 'Set driver specific options', 'o'), f('ipv6', 'bool', 'Enable or disable IPv6 networking'),
      ],
    },
    run: (c, p) => {
      const subnets = p.flags.list('subnet');
      const gateways = p.flags.list('gateway');
      if (gateways.length > subnets.length || p.flags.list('ip-range').length > subnets.length) throw new CliError('every ip-range or gateway must have a corresponding subnet');
      if (p.flags.bool('ipv6')) throw new CliError('Error response from daemon: IPv6 is not available in this guest');
      const body = {
        Name: p.args[0], Driver: p.flags.string('driver'), Internal: p.flags.bool('internal'), Attachable: p.flags.bool('attachable'), EnableIPv6: false,
        IPAM: { Driver: 'default', Config: subnets.map((s, i) => ({ Subnet: s, ...(gateways[i] ? { Gateway: gateways[i] } : {}) })), Options: {} },
        Options: keyValues(p.flags.list('opt')), Labels: keyValues(p.flags.list('label')),
      };
      c.out(`${c.client.call<{ Id: string }>('POST', '/networks/create', body).Id}\n`);
      return 0;
    },
  },
  'network ls': {
    spec: {
      path: 'docker network ls', usage: '[OPTIONS]', description: 'List networks', maxArgs: 0,
      flags: [f('quiet', 'bool', 'Only display network IDs', 'q'), f('no-trunc', 'bool', 'Do not truncate the output'), f('format', 'string', 'Format output using a custom template'), f('filter', 'list', "Provide filter values (e.g. 'driver=bridge')", 'f')],
    },
    run: (c, p) => {
      const q = filterQuery(p.flags.list('filter'));
      const nets = c.client.call<NetworkSummary[]>('GET', `/networks${q ? `?${q}` : ''}`).sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
      const id = (n: { Id: string }): string => (p.flags.bool('no-trunc') ? n.Id : n.Id.slice(0, 12));
      const rows = nets.map((n) => ({ ...n, ID: id(n), IPv6: String(n.EnableIPv6), Internal: String(n.Internal), CreatedAt: n.Created, Labels: Object.entries(n.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') }));
      if (p.flags.bool('quiet')) c.out(rows.map((n) => `${n.ID}\n`).join(''));
      else if (p.flags.string('format')) c.out(renderTemplate(p.flags.string('format'), rows, (h) => ({ ID: 'NETWORK ID' })[h] ?? h.toUpperCase()));
      else c.out(table([['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'], ...rows.map((n) => [n.ID, n.Name, n.Driver, n.Scope])]));
      return 0;
    },
  },
  'network inspect': {
    spec: { path: 'docker network inspect', usage: '[OPTIONS] NETWORK [NETWORK...]', description: 'Display detailed information on one or more networks', minArgs: 1, flags: [f('format', 'string', 'Format output using a custom template', 'f'), f('verbose', 'bool', 'Verbose output for diagnostics', 'v')] },
    run: (c, p) => {
      const items: unknown[] = [];
      let code = 0;
      for (const n of p.args) {
        try {
          items.push(c.client.call('GET', `/networks/${encodeURIComponent(n)}`));
        } catch (e) {
          if (!(e instanceof ApiResponseError) || e.status !== 404) throw e;
          c.err(`Error response from daemon: ${e.message}\n`);
          code = 1;
        }
      }
      if (p.flags.string('format')) c.out(renderTemplate(p.flags.string('format'), items));
      else c.out(inspectJson(items));
      return code;
    },
  },
  'network rm': {
    spec: { path: 'docker network rm', usage: '[OPTIONS] NETWORK [NETWORK...]', description: 'Remove one or more networks', minArgs: 1, flags: [f('force', 'bool', 'Do not error if the network does not exist', 'f')] },
    run: (c, p) => {
      let code = 0;
      for (const n of p.args) {
        try {
          c.client.call('DELETE', `/networks/${encodeURIComponent(n)}`);
          c.out(`${n}\n`);
        } catch (e) {
          if (!(e instanceof ApiResponseError)) throw e;
          if (p.flags.bool('force') && e.status === 404) continue;
          c.err(`Error response from daemon: ${e.message}\n`);
          code = 1;
        }
      }
      // the official client ends a failed network rm with this line of its own
      if (code) c.err('exit status 1\n');
      return code;
    },
  },
  'network connect': {
    spec: {
      path: 'docker network connect', usage: '[OPTIONS] NETWORK CONTAINER', description: 'Connect a container to a network', minArgs: 2, maxArgs: 2,
      flags: [f('alias', 'list', 'Add network-scoped alias for the container'), f('ip', 'string', 'IPv4 address (e.g., "172.30.100.104")')],
    },
    run: (c, p) => {
      const [net, container] = p.args as [string, string];
      const ip = p.flags.string('ip');
      const aliases = p.flags.list('alias');
      c.client.call('POST', `/networks/${encodeURIComponent(net)}/connect`, { Container: container, EndpointConfig: { ...(ip ? { IPAMConfig: { IPv4Address: ip } } : {}), ...(aliases.length ? { Aliases: aliases } : {}) } });
      return 0;
    },
  },
  'network disconnect': {
    spec: { path: 'docker network disconnect', usage: '[OPTIONS] NETWORK CONTAINER', description: 'Disconnect a container from a network', minArgs: 2, maxArgs: 2, flags: [f('force', 'bool', 'Force the container to disconnect from a network', 'f')] },
    run: (c, p) => {
      const [net, container] = p.args as [string, string];
      c.client.call('POST', `/networks/${encodeURIComponent(net)}/disconnect`, { Container: container, Force: p.flags.bool('force') });
      return 0;
    },
  },
  'network prune': {
    spec: { path: 'docker network prune', usage: '[OPTIONS]', description: 'Remove all unused networks', maxArgs: 0, flags: [f('force', 'bool', 'Do not prompt for confirmation', 'f'), f('filter', 'list', "Provide filter values (e.g. 'until=<timestamp>')")] },
    run: (c, p) => {
      if (!p.flags.bool('force') && !confirm(c, 'WARNING! This will remove all custom networks not used by at least one container.')) return 0;
      const q = filterQuery(p.flags.list('filter'));
      const r = c.client.call<{ NetworksDeleted: string[] | null }>('POST', `/networks/prune${q ? `?${q}` : ''}`);
      if (r.NetworksDeleted?.length) c.out(`Deleted Networks:\n${r.NetworksDeleted.join('\n')}\n`);
      return 0;
    },
  },
};
