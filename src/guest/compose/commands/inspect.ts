// Commands that look at the project or run something in it: config, ps, logs, top, images, ls,
// version, exec, run.

import { ComposeError } from '../errors.ts';
import { LABEL, type ContainerInfo } from '../engine.ts';
import { configYaml, projectDict } from '../config.ts';
import { projectContainers } from '../converge/teardown.ts';
import { nameOf } from '../converge/plan.ts';
import { containerLabels, createBody, configHash, imageOf, COMPOSE_VERSION } from '../converge/spec.ts';
import { prepare, up } from '../converge/up.ts';
import { followLogs, printLogs, Prefixer, type LogSource } from '../logs.ts';
import { shortName } from './lifecycle.ts';
import { table } from '../../util/tabwriter.ts';
import { ellipsis, ago } from '../../cli/format.ts';
import { humanSize } from '../../util/humanize.ts';
import { randomHex } from './random.ts';
import { flag, type Command, type ComposeCtx } from './context.ts';

function ports(c: ContainerInfo): string {
  return (c.Ports ?? [])
    .map((p) => (p.PublicPort ? `${p.IP ?? '0.0.0.0'}:${p.PublicPort}->${p.PrivatePort}/${p.Type}` : `${p.PrivatePort}/${p.Type}`))
    .join(', ');
}

function serviceContainer(c: ComposeCtx, project: string, service: string, index: number): ContainerInfo {
  const list = projectContainers(c.engine(), project, true).filter((x) => x.Labels[LABEL.service] === service);
  const running = list.filter((x) => x.State === 'running');
  const pick = running.find((x) => Number(x.Labels[LABEL.number]) === index);
  if (!pick) throw new ComposeError(list.length ? `service "${service}" is not running` : `service "${service}" is not running`);
  return pick;
}

function delegate(args: string[], c: ComposeCtx): Promise<number> {
  // exec and run's attach are the docker CLI's own: same streams, terminal handling and exit codes
  return c.docker(args);
}

export const inspectCommands: Record<string, Command> = {
  config: {
    spec: {
      path: 'docker compose config', usage: '[OPTIONS] [SERVICE...]', description: 'Parse, resolve and render compose file in canonical format',
      flags: [
        flag('quiet', 'bool', 'Only validate the configuration, don\'t print anything', 'q'),
        flag('services', 'bool', 'Print the service names, one per line.'),
        flag('volumes', 'bool', 'Print the volume names, one per line.'),
        flag('networks', 'bool', 'Print the network names, one per line.'),
        flag('images', 'bool', 'Print the image names, one per line.'),
        flag('profiles', 'bool', 'Print the profile names, one per line.'),
        flag('hash', 'string', 'Print the service config hash, one per line.'),
        flag('format', 'string', 'Format the output. Values: [yaml | json]', undefined, { default: 'yaml' }),
        flag('output', 'string', 'Save to file (default to stdout)', 'o'),
      ],
    },
    run: (c, p) => {
      const project = c.project(p.args);
      if (p.args.length) for (const n of Object.keys(project.services)) if (!p.args.includes(n)) delete project.services[n];
      const lines = (xs: string[]): number => {
        if (xs.length) c.out(xs.join('\n') + '\n');
        return 0;
      };
      if (p.flags.bool('quiet')) return 0;
      if (p.flags.bool('services')) return lines(Object.keys(project.services));
      if (p.flags.bool('volumes')) return lines(Object.keys(project.volumes));
      if (p.flags.bool('networks')) return lines(Object.keys(project.networks));
      if (p.flags.bool('images')) return lines(Object.values(project.services).map((s) => imageOf(project, s)));
      if (p.flags.bool('profiles')) return lines([...new Set([...Object.values(project.services), ...Object.values(project.disabled)].flatMap((s) => s.profiles ?? []))].sort());
      if (p.flags.changed('hash')) {
        const want = p.flags.string('hash');
        return lines(Object.values(project.services).filter((s) => want === '*' || want.split(',').includes(s.name)).map((s) => `${s.name} ${configHash(project, s)}`));
      }
      const format = p.flags.string('format');
      if (format !== 'yaml' && format !== 'json') throw new ComposeError(`unsupported format "${format}"`);
      const text = format === 'json' ? JSON.stringify(projectDict(project), null, 2) + '\n' : configYaml(project);
      if (p.flags.string('output')) c.sys.writeFile(p.flags.string('output'), text, 0o644);
      else c.out(text);
      return 0;
    },
  },
  ps: {
    spec: {
      path: 'docker compose ps', usage: '[OPTIONS] [SERVICE...]', description: 'List containers',
      flags: [
        flag('all', 'bool', 'Show all stopped containers (including those created by the run command)', 'a'),
        flag('quiet', 'bool', 'Only display IDs', 'q'),
        flag('services', 'bool', 'Display services'),
        flag('status', 'list', 'Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]'),
        flag('format', 'string', 'Format output using a custom template: \'table\' or \'json\'', undefined, { default: 'table' }),
        flag('no-trunc', 'bool', "Don't truncate output"),
      ],
    },
    run: (c, p) => {
      const { name } = c.projectName();
      let list = projectContainers(c.engine(), name, true, p.flags.bool('all') ? null : false);
      if (!p.flags.bool('all')) list = list.filter((x) => x.State === 'running' || p.flags.list('status').length > 0);
      if (p.flags.list('status').length) list = list.filter((x) => p.flags.list('status').includes(x.State));
      if (p.args.length) list = list.filter((x) => p.args.includes(x.Labels[LABEL.service] ?? ''));
      list.sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1));
      if (p.flags.bool('quiet')) {
        c.out(list.map((x) => `${x.Id}\n`).join(''));
        return 0;
      }
      if (p.flags.bool('services')) {
        c.out([...new Set(list.map((x) => x.Labels[LABEL.service] ?? ''))].map((s) => `${s}\n`).join(''));
        return 0;
      }
      const now = c.now();
      if (p.flags.string('format') === 'json') {
        c.out(list.map((x) => JSON.stringify({ Command: `"${x.Command}"`, CreatedAt: new Date(x.Created * 1000).toISOString(), ID: x.Id, Image: x.Image, Labels: x.Labels, Name: nameOf(x), Names: nameOf(x), Ports: ports(x), Project: name, RunningFor: ago(x.Created, now), Service: x.Labels[LABEL.service], State: x.State, Status: x.Status }) + '\n').join(''));
        return 0;
      }
      const trunc = !p.flags.bool('no-trunc');
      c.out(table([['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'CREATED', 'STATUS', 'PORTS'], ...list.map((x) => [nameOf(x), x.Image, trunc ? `"${ellipsis(x.Command, 20)}"` : `"${x.Command}"`, x.Labels[LABEL.service] ?? '', ago(x.Created, now), x.Status, ports(x)])]));
      return 0;
    },
  },
  logs: {
    spec: {
      path: 'docker compose logs', usage: '[OPTIONS] [SERVICE...]', description: 'View output from containers',
      flags: [
        flag('follow', 'bool', 'Follow log output', 'f'),
        flag('tail', 'string', 'Number of lines to show from the end of the logs for each container', 'n', { default: 'all' }),
        flag('timestamps', 'bool', 'Show timestamps', 't'),
        flag('no-color', 'bool', 'Produce monochrome output'),
        flag('no-log-prefix', 'bool', "Don't print prefix in logs"),
      ],
    },
    run: (c, p) => {
      const { name, project } = c.projectName();
      if (project) for (const s of p.args) if (!project.services[s] && !project.disabled[s]) throw new ComposeError(`no such service: ${s}`);
      const engine = c.engine();
      const list = projectContainers(engine, name, true).filter((x) => p.args.length === 0 || p.args.includes(x.Labels[LABEL.service] ?? ''));
      const sources: LogSource[] = list.map((x) => ({ name: shortName(name, nameOf(x)), id: x.Id, tty: engine.inspectContainer(x.Id).Config.Tty }));
      const opts = { follow: p.flags.bool('follow'), tail: p.flags.string('tail'), timestamps: p.flags.bool('timestamps'), prefix: !p.flags.bool('no-log-prefix'), color: c.global.color && !p.flags.bool('no-color') };
      const pre = new Prefixer(sources.map((s) => s.name), opts.color, opts.prefix);
      if (!opts.follow) {
        printLogs(c.sys, c.client(), sources, pre, opts);
        return 0;
      }
      return followLogs(c.sys, c.client(), sources.filter((s) => list.find((x) => x.Id === s.id)?.State === 'running' || true), pre, opts).then((how) => (how === 'interrupted' ? 130 : 0));
    },
  },
  top: {
    spec: { path: 'docker compose top', usage: '[SERVICES...]', description: 'Display the running processes', flags: [] },
    run: (c, p) => {
      const { name } = c.projectName();
      const engine = c.engine();
      const list = projectContainers(engine, name, false).filter((x) => p.args.length === 0 || p.args.includes(x.Labels[LABEL.service] ?? ''));
      for (const x of list.sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1))) {
        const t = engine.top(x.Id);
        c.out(`${nameOf(x)}\n${table([t.Titles, ...t.Processes])}\n`);
      }
      return 0;
    },
  },
  images: {
    spec: { path: 'docker compose images', usage: '[OPTIONS] [SERVICE...]', description: 'List images used by the created containers', flags: [flag('quiet', 'bool', 'Only display IDs', 'q')] },
    run: (c, p) => {
      const { name } = c.projectName();
      const engine = c.engine();
      const list = projectContainers(engine, name, true).filter((x) => p.args.length === 0 || p.args.includes(x.Labels[LABEL.service] ?? ''));
      const rows = list.sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1)).map((x) => {
        const img = engine.inspectImage(x.Image);
        const at = x.Image.lastIndexOf(':');
        const [repo, tag] = at > x.Image.lastIndexOf('/') ? [x.Image.slice(0, at), x.Image.slice(at + 1)] : [x.Image, 'latest'];
        return [nameOf(x), repo, tag, (img?.Id ?? '').replace(/^sha256:/, '').slice(0, 12), img?.Size !== undefined ? humanSize(img.Size) : ''];
      });
      if (p.flags.bool('quiet')) c.out([...new Set(rows.map((r) => r[3]!))].map((i) => `${i}\n`).join(''));
      else c.out(table([['CONTAINER', 'REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE'], ...rows]));
      return 0;
    },
  },
  ls: {
    spec: { path: 'docker compose ls', usage: '[OPTIONS]', description: 'List running compose projects', maxArgs: 0, flags: [flag('all', 'bool', 'Show all stopped Compose projects', 'a'), flag('quiet', 'bool', 'Only display project names.', 'q'), flag('format', 'string', 'Format the output. Values: [table | json]', undefined, { default: 'table' })] },
    run: (c, p) => {
      const all = c.engine().listContainers({ label: [LABEL.project] }, true);
      const projects = new Map<string, ContainerInfo[]>();
      for (const x of all) {
        const n = x.Labels[LABEL.project]!;
        projects.set(n, [...(projects.get(n) ?? []), x]);
      }
      const rows: { Name: string; Status: string; ConfigFiles: string }[] = [];
      for (const [n, xs] of [...projects].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        const counts = new Map<string, number>();
        for (const x of xs) counts.set(x.State, (counts.get(x.State) ?? 0) + 1);
        if (!p.flags.bool('all') && !counts.has('running')) continue;
        const status = [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([s, k]) => `${s}(${k})`).join(', ');
        rows.push({ Name: n, Status: status, ConfigFiles: xs[0]!.Labels[LABEL.configFiles] ?? '' });
      }
      if (p.flags.bool('quiet')) c.out(rows.map((r) => `${r.Name}\n`).join(''));
      else if (p.flags.string('format') === 'json') c.out(JSON.stringify(rows) + '\n');
      else c.out(table([['NAME', 'STATUS', 'CONFIG FILES'], ...rows.map((r) => [r.Name, r.Status, r.ConfigFiles])]));
      return 0;
    },
  },
  port: {
    spec: {
      path: 'docker compose port', usage: '[OPTIONS] SERVICE PRIVATE_PORT', description: 'Print the public port for a port binding', minArgs: 2, maxArgs: 2,
      flags: [flag('protocol', 'string', 'tcp or udp', undefined, { default: 'tcp' }), flag('index', 'int', 'Index of the container if service has multiple replicas', undefined, { default: 1 })],
    },
    run: (c, p) => {
      const { name } = c.projectName();
      const [service, port] = p.args as [string, string];
      const target = serviceContainer(c, name, service, p.flags.int('index'));
      const bindings = c.engine().inspectContainer(target.Id).NetworkSettings?.Ports?.[`${port}/${p.flags.string('protocol')}`] ?? null;
      const first = bindings?.[0];
      if (!first) throw new ComposeError(`no port ${port}/${p.flags.string('protocol')} for container ${nameOf(target)}: no public port`);
      c.out(`${first.HostIp || '0.0.0.0'}:${first.HostPort}\n`);
      return 0;
    },
  },
  version: {
    spec: { path: 'docker compose version', usage: '[OPTIONS]', description: 'Show the Docker Compose version information', maxArgs: 0, flags: [flag('short', 'bool', "Shows only Compose's version number"), flag('format', 'string', 'Format the output. Values: [pretty | json]', 'f', { default: 'pretty' })] },
    run: (c, p) => {
      if (p.flags.bool('short')) c.out(`${COMPOSE_VERSION}\n`);
      else if (p.flags.string('format') === 'json') c.out(JSON.stringify({ version: `v${COMPOSE_VERSION}` }) + '\n');
      else c.out(`Docker Compose version v${COMPOSE_VERSION}\n`);
      return 0;
    },
  },
  exec: {
    spec: {
      path: 'docker compose exec', usage: '[OPTIONS] SERVICE COMMAND [ARGS...]', description: 'Execute a command in a running container', interspersed: false, minArgs: 2,
      flags: [
        flag('detach', 'bool', 'Detached mode: Run command in the background', 'd'),
        flag('no-TTY', 'bool', 'Disable pseudo-TTY allocation. By default `docker compose exec` allocates a TTY.', 'T'),
        flag('env', 'list', 'Set environment variables', 'e'),
        flag('user', 'string', 'Run the command as this user', 'u'),
        flag('workdir', 'string', 'Path to workdir directory for this command', 'w'),
        flag('index', 'int', 'Index of the container if service has multiple replicas', undefined, { default: 1 }),
        flag('privileged', 'bool', 'Give extended privileges to the process'),
      ],
    },
    run: (c, p) => {
      const { name } = c.projectName();
      const [service, ...cmd] = p.args as [string, ...string[]];
      const target = serviceContainer(c, name, service, p.flags.int('index'));
      const tty = !p.flags.bool('no-TTY') && c.sys.isatty(0);
      const args = ['exec', ...(p.flags.bool('detach') ? ['-d'] : ['-i']), ...(tty && !p.flags.bool('detach') ? ['-t'] : [])];
      for (const e of p.flags.list('env')) args.push('-e', e);
      if (p.flags.string('user')) args.push('-u', p.flags.string('user'));
      if (p.flags.string('workdir')) args.push('-w', p.flags.string('workdir'));
      return delegate([...args, target.Id, ...cmd], c);
    },
  },
  run: {
    spec: {
      path: 'docker compose run', usage: '[OPTIONS] SERVICE [COMMAND] [ARGS...]', description: 'Run a one-off command on a service', interspersed: false, minArgs: 1,
      flags: [
        flag('detach', 'bool', 'Run container in background and print container ID', 'd'),
        flag('rm', 'bool', 'Automatically remove the container when it exits'),
        flag('no-TTY', 'bool', 'Disable pseudo-TTY allocation (default: auto-detected)', 'T'),
        flag('env', 'list', 'Set environment variables', 'e'),
        flag('name', 'string', 'Assign a name to the container'),
        flag('entrypoint', 'string', 'Override the entrypoint of the image'),
        flag('user', 'string', 'Run as specified username or uid', 'u'),
        flag('workdir', 'string', 'Working directory inside the container', 'w'),
        flag('no-deps', 'bool', "Don't start linked services"),
        flag('service-ports', 'bool', "Run command with all service's ports enabled and mapped to the host"),
        flag('publish', 'list', "Publish a container's port(s) to the host", 'p'),
      ],
    },
    run: (c, p) => {
      const [service, ...cmd] = p.args as [string, ...string[]];
      const project = c.project([service]);
      const s = project.services[service];
      if (!s) throw new ComposeError(`no such service: ${service}`);
      const deps = Object.keys(s.depends_on ?? {});
      const env = { engine: c.engine(), pulls: () => c.progress('Pulling'), progress: () => c.progress(), warn: c.warn, pause: c.pause, mkdirp: c.mkdirp };
      if (deps.length && !p.flags.bool('no-deps')) up(env, project, { services: deps, noDeps: false, forceRecreate: false, noRecreate: false, removeOrphans: false, scale: {}, start: true, wait: false, pull: 'missing' });
      const networks = prepare(env, project, [service]);
      const name = p.flags.string('name') || `${project.name}-${service}-run-${randomHex(c.sys, 6)}`;
      const tty = !p.flags.bool('no-TTY') && !p.flags.bool('detach') && c.sys.isatty(0);
      const run = { ...s, ...(p.flags.string('entrypoint') ? { entrypoint: [p.flags.string('entrypoint')] } : {}), ...(p.flags.string('user') ? { user: p.flags.string('user') } : {}), ...(p.flags.string('workdir') ? { working_dir: p.flags.string('workdir') } : {}) };
      for (const e of p.flags.list('env')) {
        const i = e.indexOf('=');
        run.environment = { ...(run.environment ?? {}), [i < 0 ? e : e.slice(0, i)]: i < 0 ? (c.sys.getenv(e) ?? null) : e.slice(i + 1) };
      }
      if (!p.flags.bool('service-ports')) run.ports = [];
      const engine = c.engine();
      const labels = containerLabels(project, run, 1, configHash(project, run), engine.inspectImage(imageOf(project, run))?.Id ?? '', true);
      const body = createBody(project, run, 1, labels, networks, { ...(cmd.length ? { command: cmd } : {}), tty, stdin: !p.flags.bool('detach') });
      if (p.flags.bool('rm')) (body['HostConfig'] as Record<string, unknown>)['AutoRemove'] = true;
      for (const v of run.volumes ?? []) if (v.type === 'bind' && v.source && v.bind?.create_host_path) c.mkdirp(v.source);
      engine.createContainer(name, body);
      if (p.flags.bool('detach')) {
        engine.startContainer(name);
        c.out(`${name}\n`);
        return 0;
      }
      return delegate(['start', '-a', '-i', name], c);
    },
  },
};
