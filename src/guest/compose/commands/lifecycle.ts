// Commands that change the project: up, create, down, start, stop, restart, kill, rm, pull, build.

import { ComposeError } from '../errors.ts';
import { LABEL } from '../engine.ts';
import { ensureImages, up, type UpEnv, type UpOptions } from '../converge/up.ts';
import { down, lifecycle, projectContainers } from '../converge/teardown.ts';
import { nameOf } from '../converge/plan.ts';
import { containerId } from '../converge/apply.ts';
import { buildServices } from '../converge/build.ts';
import { withDependencies } from '../converge/order.ts';
import { followLogs, Prefixer, type LogSource } from '../logs.ts';
import { readLine } from '../../sys/io.ts';
import type { Project } from '../model.ts';
import type { Parsed } from '../../util/flags.ts';
import { flag, type Command, type ComposeCtx } from './context.ts';

function upEnv(c: ComposeCtx): UpEnv {
  return { engine: c.engine(), pulls: () => c.progress('Pulling'), progress: () => c.progress(), warn: c.warn, pause: c.pause, mkdirp: c.mkdirp };
}

function scales(p: Parsed): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of p.flags.list('scale')) {
    const m = /^([^=]+)=(\d+)$/.exec(s);
    if (!m) throw new ComposeError(`invalid --scale option ${JSON.stringify(s)}. Should be SERVICE=NUM`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

const timeout = (p: Parsed): number | undefined => (p.flags.changed('timeout') ? p.flags.int('timeout') : undefined);

function pullPolicy(p: Parsed): UpOptions['pull'] {
  const v = p.flags.string('pull') || 'missing';
  if (v !== 'always' && v !== 'missing' && v !== 'never') throw new ComposeError(`invalid --pull option "${v}"`);
  return v;
}

/** A container's name in log prefixes: `db-1` for `<project>-db-1`, else its own name. */
export function shortName(project: string, name: string): string {
  return name.startsWith(`${project}-`) ? name.slice(project.length + 1) : name;
}

/**
 * Attached `up`: every container's log until all have exited or Ctrl-C (then the stack stops).
 * Not async: QuickJS reports a promise rejected before it has a handler, so what can fail
 * synchronously throws here and the command's caller catches it.
 */
function attach(c: ComposeCtx, project: string, services: string[], opts: { color: boolean; prefix: boolean; timeout?: number; abort: boolean }): Promise<number> {
  const engine = c.engine();
  const containers = projectContainers(engine, project, true).filter((x) => services.length === 0 || services.includes(x.Labels[LABEL.service] ?? ''));
  const sources: LogSource[] = containers.map((x) => ({ name: shortName(project, nameOf(x)), id: x.Id, tty: engine.inspectContainer(x.Id).Config.Tty }));
  const pre = new Prefixer(sources.map((s) => s.name), opts.color, opts.prefix);
  c.out(`Attaching to ${sources.map((s) => s.name).join(', ')}\n`);
  let firstExit = 0;
  let ended = 0;
  return followLogs(c.sys, c.client(), sources, pre, {
    stopAtFirstEnd: opts.abort,
    follow: true,
    tail: 'all',
    timestamps: false,
    prefix: opts.prefix,
    color: opts.color,
    onEnd: (s) => {
      let code = 0;
      try {
        code = engine.inspectContainer(s.id).State.ExitCode;
      } catch {
        // removed meanwhile
      }
      if (ended++ === 0) firstExit = code;
      c.out(`${pre.colored(s.name, `exited with code ${code}`)}\n`);
    },
  }).then((how) => {
    if (opts.abort && how === 'ended' && ended < sources.length) {
      c.out('Aborting on container exit...\n');
      lifecycle(engine, project, null, 'stop', services, c.progress(), opts.timeout === undefined ? {} : { timeout: opts.timeout });
      return firstExit;
    }
    if (how === 'interrupted') {
      c.out('Gracefully stopping... (press Ctrl+C again to force)\n');
      lifecycle(engine, project, null, 'stop', services, c.progress(), opts.timeout === undefined ? {} : { timeout: opts.timeout });
      return 130;
    }
    return 0;
  });
}

const UP_FLAGS = [
  flag('detach', 'bool', 'Detached mode: Run containers in the background', 'd'),
  flag('build', 'bool', 'Build images before starting containers'),
  flag('no-build', 'bool', "Don't build an image, even if it's policy"),
  flag('force-recreate', 'bool', "Recreate containers even if their configuration and image haven't changed"),
  flag('no-recreate', 'bool', "If containers already exist, don't recreate them. Incompatible with --force-recreate."),
  flag('no-deps', 'bool', "Don't start linked services"),
  flag('no-start', 'bool', "Don't start the services after creating them"),
  flag('wait', 'bool', 'Wait for services to be running|healthy. Implies detached mode.'),
  flag('scale', 'list', 'Scale SERVICE to NUM instances. Overrides the `scale` setting in the Compose file if present.', undefined, { valueName: 'scale' }),
  flag('remove-orphans', 'bool', 'Remove containers for services not defined in the Compose file'),
  flag('pull', 'string', 'Pull image before running ("always"|"missing"|"never")', undefined, { default: 'missing' }),
  flag('timeout', 'int', 'Use this timeout in seconds for container shutdown when attached or when containers are already running', 't'),
  flag('no-color', 'bool', 'Produce monochrome output'),
  flag('no-log-prefix', 'bool', "Don't print prefix in logs"),
  flag('abort-on-container-exit', 'bool', 'Stops all containers if any container was stopped. Incompatible with -d'),
];

function upOptions(p: Parsed, start: boolean): UpOptions {
  if (p.flags.bool('force-recreate') && p.flags.bool('no-recreate')) throw new ComposeError('--force-recreate and --no-recreate are incompatible');
  return {
    services: p.args,
    noDeps: p.flags.bool('no-deps'),
    forceRecreate: p.flags.bool('force-recreate'),
    noRecreate: p.flags.bool('no-recreate'),
    removeOrphans: p.flags.bool('remove-orphans'),
    scale: scales(p),
    start,
    wait: p.flags.bool('wait'),
    pull: pullPolicy(p),
    ...(timeout(p) !== undefined ? { timeout: timeout(p)! } : {}),
  };
}

export const lifecycleCommands: Record<string, Command> = {
  up: {
    spec: { path: 'docker compose up', usage: '[OPTIONS] [SERVICE...]', description: 'Create and start containers', flags: UP_FLAGS },
    run: (c, p) => {
      const project = c.project(p.args);
      const opts = upOptions(p, !p.flags.bool('no-start'));
      if (p.flags.bool('detach') && p.flags.bool('abort-on-container-exit')) throw new ComposeError('--abort-on-container-exit and --detach are incompatible');
      if (p.flags.bool('build') && !p.flags.bool('no-build')) buildServices(c.engine(), project, withDependencies(project, p.args, p.flags.bool('no-deps')), { noCache: false, pull: false, quiet: false });
      up(upEnv(c), project, opts);
      if (p.flags.bool('detach') || p.flags.bool('wait') || p.flags.bool('no-start')) return 0;
      return attach(c, project.name, p.args, { color: c.global.color && !p.flags.bool('no-color'), prefix: !p.flags.bool('no-log-prefix'), abort: p.flags.bool('abort-on-container-exit'), ...(timeout(p) !== undefined ? { timeout: timeout(p)! } : {}) });
    },
  },
  create: {
    spec: { path: 'docker compose create', usage: '[OPTIONS] [SERVICE...]', description: 'Creates containers for a service', flags: UP_FLAGS.filter((f) => ['build', 'no-build', 'force-recreate', 'no-recreate', 'remove-orphans', 'pull', 'scale'].includes(f.name)) },
    run: (c, p) => {
      const project = c.project(p.args);
      up(upEnv(c), project, { ...upOptions(p, false), noDeps: false });
      return 0;
    },
  },
  down: {
    spec: {
      path: 'docker compose down', usage: '[OPTIONS] [SERVICES]', description: 'Stop and remove containers, networks',
      flags: [
        flag('volumes', 'bool', 'Remove named volumes declared in the "volumes" section of the Compose file and anonymous volumes attached to containers', 'v'),
        flag('rmi', 'string', 'Remove images used by services. "local" remove only images that don\'t have a custom tag ("local"|"all")'),
        flag('remove-orphans', 'bool', 'Remove containers for services not defined in the Compose file'),
        flag('timeout', 'int', 'Specify a shutdown timeout in seconds', 't'),
      ],
    },
    run: (c, p) => {
      const rmi = p.flags.string('rmi');
      if (rmi !== '' && rmi !== 'all' && rmi !== 'local') throw new ComposeError(`invalid value for --rmi: ${rmi}`);
      const { name, project } = c.projectName();
      const t = timeout(p);
      down(c.engine(), name, project, c.progress(), { volumes: p.flags.bool('volumes'), removeOrphans: p.flags.bool('remove-orphans'), rmi, warn: c.warn, ...(t !== undefined ? { timeout: t } : {}) });
      return 0;
    },
  },
  start: verb('start', 'Start services'),
  stop: verb('stop', 'Stop services'),
  restart: verb('restart', 'Restart service containers'),
  kill: verb('kill', 'Force stop service containers'),
  rm: {
    spec: {
      path: 'docker compose rm', usage: '[OPTIONS] [SERVICE...]', description: 'Removes stopped service containers',
      flags: [flag('force', 'bool', "Don't ask to confirm removal", 'f'), flag('stop', 'bool', 'Stop the containers, if required, before removing', 's'), flag('volumes', 'bool', 'Remove any anonymous volumes attached to containers', 'v')],
    },
    run: (c, p) => {
      const { name, project } = c.projectName();
      const engine = c.engine();
      if (p.flags.bool('stop')) lifecycle(engine, name, project, 'stop', p.args, c.progress(), {});
      const list = projectContainers(engine, name, true, null).filter((x) => x.State !== 'running' && (p.args.length === 0 || p.args.includes(x.Labels[LABEL.service] ?? '')));
      if (list.length === 0) {
        c.err('No stopped containers\n');
        return 0;
      }
      if (!p.flags.bool('force')) {
        c.out(`Going to remove ${list.map(nameOf).join(', ')}\n? Are you sure? (y/N) `);
        if (!/^y(es)?$/i.test(readLine(c.sys, 0).trim())) return 0;
      }
      const progress = c.progress();
      for (const x of list) {
        const id = containerId(nameOf(x));
        progress.working(id, 'Removing');
        engine.removeContainer(x.Id, true, p.flags.bool('volumes'));
        progress.done(id, 'Removed');
      }
      return 0;
    },
  },
  pull: {
    spec: { path: 'docker compose pull', usage: '[OPTIONS] [SERVICE...]', description: 'Pull service images', flags: [flag('quiet', 'bool', 'Pull without printing progress information', 'q'), flag('ignore-pull-failures', 'bool', 'Pull what it can and ignores images with pull failures')] },
    run: (c, p) => {
      const project = c.project(p.args);
      const names = p.args.length ? p.args : Object.keys(project.services);
      for (const n of names) if (!project.services[n]) throw new ComposeError(`no such service: ${n}`);
      const env = upEnv(c);
      const withImage = names.filter((n) => project.services[n]!.image);
      if (p.flags.bool('ignore-pull-failures')) {
        for (const n of withImage) {
          try {
            ensureImages(env, project, [n], 'always');
          } catch (e) {
            c.warn((e as Error).message);
          }
        }
      } else ensureImages(env, project, withImage, 'always');
      return 0;
    },
  },
  build: {
    spec: { path: 'docker compose build', usage: '[OPTIONS] [SERVICE...]', description: 'Build or rebuild services', flags: [flag('no-cache', 'bool', 'Do not use cache when building the image'), flag('pull', 'bool', 'Always attempt to pull a newer version of the image'), flag('quiet', 'bool', "Don't print anything to STDOUT", 'q')] },
    run: (c, p) => {
      const project = c.project(p.args);
      const names = p.args.length ? p.args : Object.keys(project.services);
      for (const n of names) if (!project.services[n]) throw new ComposeError(`no such service: ${n}`);
      buildServices(c.engine(), project, names, { noCache: p.flags.bool('no-cache'), pull: p.flags.bool('pull'), quiet: p.flags.bool('quiet') });
      return 0;
    },
  },
};

function verb(name: 'start' | 'stop' | 'restart' | 'kill', description: string): Command {
  const flags = name === 'kill' ? [flag('signal', 'string', 'SIGNAL to send to the container', 's', { default: 'SIGKILL' }), flag('remove-orphans', 'bool', 'Remove containers for services not defined in the Compose file')] : name === 'start' ? [] : [flag('timeout', 'int', 'Specify a shutdown timeout in seconds', 't')];
  return {
    spec: { path: `docker compose ${name}`, usage: '[OPTIONS] [SERVICE...]', description, flags },
    run: (c, p) => {
      const { name: project, project: model } = c.projectName();
      const t = timeout(p);
      const n = lifecycle(c.engine(), project, model, name, p.args, c.progress(), { ...(t !== undefined ? { timeout: t } : {}), ...(name === 'kill' ? { signal: p.flags.string('signal') } : {}) });
      if (n === 0 && name === 'kill') throw new ComposeError('no container to kill');
      return 0;
    },
  };
}
