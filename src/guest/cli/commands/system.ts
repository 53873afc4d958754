// docker version/info/inspect/system df/system prune (moby's cli/command/system).

import { humanSize } from '../../util/humanize.ts';
import { ApiResponseError, Client } from '../client.ts';
import { API_VERSION, ENGINE_VERSION } from '../../api/engine-api.ts';
import { dfRows, type DiskUsage } from '../stats.ts';
import { formatTable } from '../../util/tabwriter.ts';
import { inspectJson, renderTemplate } from '../format.ts';
import { f, type CommandDef, confirm, type CommandTable } from './context.ts';

export const systemCommands: CommandTable = {
  version: {
    spec: { path: 'docker version', usage: '[OPTIONS]', description: 'Show the Docker version information', maxArgs: 0, flags: [f('format', 'string', 'Format output using a custom template', 'f')] },
    run: (c, p) => {
      const client = `Client:\n Version:           ${ENGINE_VERSION}\n API version:       ${API_VERSION}\n Go version:        quickjs\n Git commit:        whalebone\n Built:             \n OS/Arch:           linux/386\n Context:           default\n`;
      let v: { Version: string; ApiVersion: string; MinAPIVersion: string; GitCommit: string; GoVersion: string; Os: string; Arch: string; Components?: { Name: string; Version: string }[] };
      try {
        v = c.client.call('GET', '/version');
      } catch (e) {
        c.out(client);
        throw e;
      }
      if (p.flags.string('format')) {
        c.out(renderTemplate(p.flags.string('format'), [{ Client: { Version: ENGINE_VERSION, ApiVersion: API_VERSION }, Server: v }]));
        return 0;
      }
      c.out(`${client}\nServer: Whalebone Engine\n Engine:\n  Version:          ${v.Version}\n  API version:      ${v.ApiVersion} (minimum version ${v.MinAPIVersion})\n  Go version:       ${v.GoVersion}\n  Git commit:       ${v.GitCommit}\n  OS/Arch:          ${v.Os}/${v.Arch}\n${(v.Components ?? []).filter((x) => x.Name !== 'Engine').map((x) => ` ${x.Name}:\n  Version:          ${x.Version}\n`).join('')}`);
      return 0;
    },
  },
  info: {
    spec: { path: 'docker info', usage: '[OPTIONS]', description: 'Display system-wide information', maxArgs: 0, flags: [f('format', 'string', 'Format output using a custom template', 'f')] },
    run: (c, p) => {
      const i = c.client.call<Record<string, unknown>>('GET', '/info');
      if (p.flags.string('format')) {
        c.out(renderTemplate(p.flags.string('format'), [i]));
        return 0;
      }
      c.out(`Client:\n Version:    ${ENGINE_VERSION}\n Context:    default\n\nServer:\n Containers: ${i['Containers']}\n  Running: ${i['ContainersRunning']}\n  Paused: ${i['ContainersPaused']}\n  Stopped: ${i['ContainersStopped']}\n Images: ${i['Images']}\n Server Version: ${i['ServerVersion']}\n Storage Driver: ${i['Driver']}\n Logging Driver: ${i['LoggingDriver']}\n Cgroup Driver: ${i['CgroupDriver']}\n Cgroup Version: ${i['CgroupVersion']}\n Runtimes: runc\n Default Runtime: runc\n Kernel Version: ${i['KernelVersion']}\n Operating System: ${i['OperatingSystem']}\n OSType: ${i['OSType']}\n Architecture: ${i['Architecture']}\n CPUs: ${i['NCPU']}\n Total Memory: ${humanSize(Number(i['MemTotal']))}\n Name: ${i['Name']}\n Docker Root Dir: ${i['DockerRootDir']}\n`);
      return 0;
    },
  },
  inspect: inspectCommand('docker inspect', null),
  'container inspect': inspectCommand('docker container inspect', 'container'),
  'image inspect': inspectCommand('docker image inspect', 'image'),
  'system df': {
    spec: { path: 'docker system df', usage: '[OPTIONS]', description: 'Show docker disk usage', maxArgs: 0, flags: [f('verbose', 'bool', 'Show detailed information on space usage', 'v'), f('format', 'string', 'Format output using a custom template')] },
    run: (c, p) => {
      const d = c.client.call<DiskUsage>('GET', '/system/df');
      if (p.flags.string('format')) {
        c.out(renderTemplate(p.flags.string('format'), [d]));
        return 0;
      }
      c.out(formatTable(dfRows(d)));
      return 0;
    },
  },
  'system prune': {
    spec: { path: 'docker system prune', usage: '[OPTIONS]', description: 'Remove unused data', maxArgs: 0, flags: [f('all', 'bool', 'Remove all unused images not just dangling ones', 'a'), f('force', 'bool', 'Do not prompt for confirmation', 'f'), f('volumes', 'bool', 'Prune anonymous volumes')] },
    run: (c, p) => {
      const all = p.flags.bool('all');
      const vols = p.flags.bool('volumes');
      const warn = `WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n${vols ? '  - all anonymous volumes not used by at least one container\n' : ''}${all ? '  - all images without at least one container associated to them\n' : '  - all dangling images\n'}  - unused build cache\n`;
      if (!p.flags.bool('force') && !confirm(c, warn)) return 0;
      let space = 0;
      const cs = c.client.call<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>('POST', '/containers/prune');
      if (cs.ContainersDeleted?.length) c.out(`Deleted Containers:\n${cs.ContainersDeleted.join('\n')}\n\n`);
      space += cs.SpaceReclaimed;
      if (vols) {
        const vs = c.client.call<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }>('POST', '/volumes/prune');
        if (vs.VolumesDeleted?.length) c.out(`Deleted Volumes:\n${vs.VolumesDeleted.join('\n')}\n\n`);
        space += vs.SpaceReclaimed;
      }
      c.client.call('POST', '/networks/prune');
      const is = c.client.call<{ ImagesDeleted: { Untagged?: string; Deleted?: string }[] | null; SpaceReclaimed: number }>('POST', `/images/prune?filters=${encodeURIComponent(JSON.stringify({ dangling: [all ? 'false' : 'true'] }))}`);
      if (is.ImagesDeleted?.length) c.out(`Deleted Images:\n${is.ImagesDeleted.map((x) => (x.Untagged ? `untagged: ${x.Untagged}` : `deleted: ${x.Deleted}`)).join('\n')}\n\n`);
      space += is.SpaceReclaimed;
      const bs = c.client.call<{ CachesDeleted: string[] | null; SpaceReclaimed: number }>('POST', '/build/prune');
      if (bs.CachesDeleted?.length) c.out(`Deleted build cache objects:\n${bs.CachesDeleted.map((id) => id.slice(0, 25)).join('\n')}\n\n`);
      space += bs.SpaceReclaimed;
      c.out(`Total reclaimed space: ${humanSize(space)}\n`);
      return 0;
    },
  },
};

/**
 * docker inspect, and its typed forms (container inspect, image inspect). With a type (the typed
 * forms, or --type) a missing object is the daemon's own answer, as the official client prints it;
 * without one, the client's "No such object".
 */
function inspectCommand(path: string, fixed: 'container' | 'image' | null): CommandDef {
  const what = fixed === 'image' ? 'IMAGE' : fixed === 'container' ? 'CONTAINER' : 'NAME|ID';
  return {
    spec: {
      path, usage: `[OPTIONS] ${what} [${what}...]`, description: fixed ? `Display detailed information on one or more ${fixed}s` : 'Return low-level information on Docker objects', minArgs: 1,
      flags: [f('format', 'string', 'Format output using a custom template', 'f'), ...(fixed ? [] : [f('type', 'string', 'Only inspect objects of the given type')]), ...(fixed !== 'image' ? [f('size', 'bool', 'Display total file sizes if the type is container', 's')] : [])],
    },
    run: (c, p) => {
      const items: unknown[] = [];
      let code = 0;
      const type = fixed ?? p.flags.string('type');
      for (const n of p.args) {
        const tries = type === 'container' ? ['containers'] : type === 'image' ? ['images'] : type === 'volume' ? ['volumes'] : type === 'network' ? ['networks'] : ['containers', 'images', 'volumes', 'networks'];
        let found = false;
        let answer = '';
        for (const t of tries) {
          try {
            items.push(c.client.call('GET', t === 'volumes' || t === 'networks' ? `/${t}/${encodeURIComponent(n)}` : `/${t}/${encodeURIComponent(n)}/json${fixed !== 'image' && p.flags.bool('size') ? '?size=1' : ''}`));
            found = true;
            break;
          } catch (e) {
            if (!(e instanceof ApiResponseError) || e.status !== 404) throw e;
            answer = e.message;
          }
        }
        if (!found) {
          c.err(type ? `Error response from daemon: ${answer}\n` : `Error: No such object: ${n}\n`);
          code = 1;
        }
      }
      if (p.flags.string('format')) c.out(renderTemplate(p.flags.string('format'), items));
      else c.out(inspectJson(items));
      return code;
    },
  };
}
