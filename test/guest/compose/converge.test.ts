// Converge on a fake engine: what `up` creates, in which order and with which labels; that a
// second `up` does nothing and a changed service is recreated; scaling; dependency conditions;
// rollback after a failure; `down` in reverse order, keeping volumes unless -v.
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/guest/compose/load.ts';
import { up, NO_NETWORKS_WARNING, type UpEnv, type UpOptions } from '../../../src/guest/compose/converge/up.ts';
import { down, lifecycle } from '../../../src/guest/compose/converge/teardown.ts';
import { Progress } from '../../../src/guest/compose/progress.ts';
import type { Project } from '../../../src/guest/compose/model.ts';
import { FakeEngine } from './fake-engine.ts';
import { memHost } from './host.ts';

const WP = `services:
  db:
    image: mariadb:10.11
    volumes: [db_data:/var/lib/mysql]
    environment: { MARIADB_ROOT_PASSWORD: pw }
  wordpress:
    image: wordpress:latest
    depends_on: [db]
    ports: ["8000:80"]
    environment: { WORDPRESS_DB_HOST: db }
volumes:
  db_data:
`;

function load(text: string, extra: Record<string, string> = {}): Project {
  return loadProject(memHost({ '/root/wordpress/compose.yaml': text, ...extra }, {}, '/root/wordpress'));
}

function env(engine: FakeEngine): UpEnv & { lines: string[]; warnings: string[]; made: string[] } {
  const lines: string[] = [];
  const warnings: string[] = [];
  const made: string[] = [];
  const out = { write: (s: string) => lines.push(s), tty: false, columns: 80, now: () => 0 };
  return {
    engine,
    pulls: () => new Progress(out, 'Pulling'),
    progress: () => new Progress(out),
    warn: (s) => warnings.push(s),
    pause: () => {},
    mkdirp: (p) => made.push(p),
    lines,
    warnings,
    made,
  };
}

const OPTS: UpOptions = { services: [], noDeps: false, forceRecreate: false, noRecreate: false, removeOrphans: false, scale: {}, start: true, wait: false, pull: 'missing' };

describe('compose up', () => {
  it('creates the network, the volume, then the containers in depends_on order, with compose labels', () => {
    const engine = new FakeEngine();
    const e = env(engine);
    up(e, load(WP), OPTS);
    expect(engine.calls).toEqual([
      'network create wordpress_default',
      'volume create wordpress_db_data',
      'create wordpress-db-1',
      'create wordpress-wordpress-1',
      'start wordpress-db-1',
      'start wordpress-wordpress-1',
    ]);
    expect(e.lines.join('')).toBe([
      ' Network wordpress_default  Creating',
      ' Network wordpress_default  Created',
      ' Volume "wordpress_db_data"  Creating',
      ' Volume "wordpress_db_data"  Created',
      ' Container wordpress-db-1  Creating',
      ' Container wordpress-db-1  Created',
      ' Container wordpress-wordpress-1  Creating',
      ' Container wordpress-wordpress-1  Created',
      ' Container wordpress-db-1  Starting',
      ' Container wordpress-db-1  Started',
      ' Container wordpress-wordpress-1  Starting',
      ' Container wordpress-wordpress-1  Started',
      '',
    ].join('\n'));
    const wp = engine.containers.find((c) => c.name === 'wordpress-wordpress-1')!;
    expect(wp.labels).toMatchObject({
      'com.docker.compose.project': 'wordpress',
      'com.docker.compose.service': 'wordpress',
      'com.docker.compose.container-number': '1',
      'com.docker.compose.oneoff': 'False',
      'com.docker.compose.project.working_dir': '/root/wordpress',
      'com.docker.compose.project.config_files': '/root/wordpress/compose.yaml',
      'com.docker.compose.depends_on': 'db:service_started:false',
      'com.docker.compose.image': 'sha256:wordpresslatest',
    });
    expect(wp.labels['com.docker.compose.config-hash']).toMatch(/^[0-9a-f]{64}$/);
    expect(wp.body['HostConfig']).toMatchObject({ NetworkMode: 'wordpress_default', PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8000' }] } });
    expect(wp.body['NetworkingConfig']).toEqual({ EndpointsConfig: { wordpress_default: { Aliases: ['wordpress'], DNSNames: ['wordpress-wordpress-1', 'wordpress'] } } });
    const db = engine.containers.find((c) => c.name === 'wordpress-db-1')!;
    expect((db.body['HostConfig'] as Record<string, unknown>)['Mounts']).toEqual([{ Type: 'volume', Source: 'wordpress_db_data', Target: '/var/lib/mysql', ReadOnly: false }]);
    expect(engine.networks[0]!.Labels).toMatchObject({ 'com.docker.compose.project': 'wordpress', 'com.docker.compose.network': 'default' });
    expect(engine.volumes[0]!.Labels).toMatchObject({ 'com.docker.compose.project': 'wordpress', 'com.docker.compose.volume': 'db_data' });
  });

  it('does nothing the second time, and recreates only a changed service', () => {
    const engine = new FakeEngine();
    up(env(engine), load(WP), OPTS);
    engine.calls = [];
    const again = env(engine);
    up(again, load(WP), OPTS);
    expect(engine.calls).toEqual([]);
    expect(again.lines.join('')).toBe(' Container wordpress-db-1  Running\n Container wordpress-wordpress-1  Running\n');
    const before = engine.containers.find((c) => c.name === 'wordpress-db-1')!.id;
    up(env(engine), load(WP.replace('WORDPRESS_DB_HOST: db', 'WORDPRESS_DB_HOST: db:3306')), OPTS);
    expect(engine.calls).toEqual(['stop wordpress-wordpress-1', 'rm wordpress-wordpress-1', 'create wordpress-wordpress-1', 'start wordpress-wordpress-1']);
    expect(engine.containers.find((c) => c.name === 'wordpress-db-1')!.id).toBe(before);
  });

  it('--force-recreate recreates all; --no-deps with a service touches only it; a stopped container is started', () => {
    const engine = new FakeEngine();
    up(env(engine), load(WP), OPTS);
    engine.calls = [];
    up(env(engine), load(WP), { ...OPTS, services: ['wordpress'], noDeps: true, forceRecreate: true });
    expect(engine.calls).toEqual(['stop wordpress-wordpress-1', 'rm wordpress-wordpress-1', 'create wordpress-wordpress-1', 'start wordpress-wordpress-1']);
    engine.calls = [];
    engine.containers.find((c) => c.name === 'wordpress-db-1')!.state = 'exited';
    up(env(engine), load(WP), { ...OPTS, services: ['wordpress'] });
    expect(engine.calls).toEqual(['start wordpress-db-1']);
  });

  it('scales up and down with --scale, numbering containers', () => {
    const engine = new FakeEngine();
    up(env(engine), load(WP), { ...OPTS, scale: { wordpress: 3 } });
    expect(engine.containers.map((c) => c.name).sort()).toEqual(['wordpress-db-1', 'wordpress-wordpress-1', 'wordpress-wordpress-2', 'wordpress-wordpress-3']);
    engine.calls = [];
    up(env(engine), load(WP), OPTS);
    expect(engine.calls).toEqual(['stop wordpress-wordpress-2', 'rm wordpress-wordpress-2', 'stop wordpress-wordpress-3', 'rm wordpress-wordpress-3']);
  });

  it('waits for service_healthy and service_completed_successfully before starting dependents', () => {
    const engine = new FakeEngine();
    let checks = 0;
    engine.onInspect = (c) => {
      if (c.name === 'p-db-1') c.health = ++checks >= 3 ? 'healthy' : 'starting';
      if (c.name === 'p-init-1') {
        c.state = 'exited';
        c.exitCode = 0;
      }
    };
    const e = env(engine);
    const file = `name: p
services:
  db: { image: busybox, healthcheck: { test: "true", interval: 1s } }
  init: { image: busybox }
  app:
    image: busybox
    depends_on:
      db: { condition: service_healthy }
      init: { condition: service_completed_successfully }
`;
    up(e, load(file), OPTS);
    expect(checks).toBe(3);
    expect(engine.calls.filter((c) => c.startsWith('start'))).toEqual(['start p-db-1', 'start p-init-1', 'start p-app-1']);
    expect(e.lines.join('')).toContain(' Container p-db-1  Waiting\n Container p-db-1  Healthy\n Container p-init-1  Waiting\n Container p-init-1  Exited\n Container p-app-1  Starting\n');
    const db = engine.containers.find((c) => c.name === 'p-db-1')!;
    expect(db.body['Healthcheck']).toEqual({ Test: ['CMD-SHELL', 'true'], Interval: 1e9 });
  });

  it('fails a service_healthy dependency without a healthcheck, leaving nothing behind', () => {
    const engine = new FakeEngine();
    const file = 'name: p\nservices:\n  db: { image: busybox }\n  app:\n    image: busybox\n    depends_on: { db: { condition: service_healthy } }\n';
    expect(() => up(env(engine), load(file), OPTS)).toThrow('dependency failed to start: container p-db-1 has no healthcheck configured');
    expect(engine.containers).toEqual([]);
    expect(engine.networks).toEqual([]);
  });

  it('fails with Compose\'s message naming the container when the dependency turns unhealthy, leaving nothing behind', () => {
    const engine = new FakeEngine();
    let checks = 0;
    engine.onInspect = (c) => {
      if (c.name === 'p-db-1') c.health = ++checks >= 2 ? 'unhealthy' : 'starting';
    };
    const file = 'name: p\nservices:\n  db:\n    image: busybox\n    healthcheck: { test: [CMD, "false"], interval: 1s, retries: 1 }\n  app:\n    image: busybox\n    depends_on: { db: { condition: service_healthy } }\n';
    const e = env(engine);
    expect(() => up(e, load(file), OPTS)).toThrow(/^dependency failed to start: container p-db-1 is unhealthy$/);
    expect(engine.calls.filter((c) => c.startsWith('start'))).toEqual(['start p-db-1']);
    expect(e.lines.join('')).toContain(' Container p-db-1  Waiting\n');
    expect(engine.containers).toEqual([]);
    expect(engine.networks).toEqual([]);
  });

  it('fails a service_healthy dependency that exits before it is healthy, as Compose words it', () => {
    const engine = new FakeEngine();
    engine.onInspect = (c) => {
      if (c.name === 'p-db-1') {
        c.state = 'exited';
        c.exitCode = 3;
        c.health = 'unhealthy';
      }
    };
    const file = 'name: p\nservices:\n  db:\n    image: busybox\n    healthcheck: { test: [CMD, "true"] }\n  app:\n    image: busybox\n    depends_on: { db: { condition: service_healthy } }\n';
    expect(() => up(env(engine), load(file), OPTS)).toThrow('dependency failed to start: container p-db-1 exited (3)');
  });

  it('fails a service_completed_successfully dependency that exits non-zero, without starting the dependent', () => {
    const engine = new FakeEngine();
    engine.onInspect = (c) => {
      if (c.name === 'p-init-1') {
        c.state = 'exited';
        c.exitCode = 2;
      }
    };
    const file = 'name: p\nservices:\n  init: { image: busybox }\n  app:\n    image: busybox\n    depends_on: { init: { condition: service_completed_successfully } }\n';
    expect(() => up(env(engine), load(file), OPTS)).toThrow('service "init" didn\'t complete successfully: exit 2');
    expect(engine.calls.filter((c) => c.startsWith('start'))).toEqual(['start p-init-1']);
  });

  it('passes the whole healthcheck section, start_interval included, in nanoseconds; disable is NONE', () => {
    const engine = new FakeEngine();
    const file = 'name: p\nservices:\n  db:\n    image: busybox\n    healthcheck: { test: "pg_isready", interval: 2s, timeout: 500ms, retries: 4, start_period: 1m, start_interval: 1s }\n  off:\n    image: busybox\n    healthcheck: { disable: true }\n';
    up(env(engine), load(file), OPTS);
    expect(engine.containers.find((c) => c.name === 'p-db-1')!.body['Healthcheck']).toEqual({ Test: ['CMD-SHELL', 'pg_isready'], Interval: 2e9, Timeout: 500e6, StartPeriod: 60e9, StartInterval: 1e9, Retries: 4 });
    expect(engine.containers.find((c) => c.name === 'p-off-1')!.body['Healthcheck']).toEqual({ Test: ['NONE'] });
  });

  it('removes what it made when a create fails (a missing image found only at create time)', () => {
    const engine = new FakeEngine();
    engine.onStart = (c) => {
      if (c.name === 'wordpress-wordpress-1') throw new Error('driver failed programming external connectivity: port 8000 is already allocated');
    };
    expect(() => up(env(engine), load(WP), OPTS)).toThrow('port 8000 is already allocated');
    expect(engine.containers).toEqual([]);
    expect(engine.networks).toEqual([]);
    expect(engine.volumes).toEqual([]);
  });

  it('builds a missing image from its build section with the engine\'s build, then creates the service from it', () => {
    const engine = new FakeEngine();
    const p = load('name: shop\nservices:\n  api:\n    build:\n      context: ./api\n      dockerfile: Dockerfile.dev\n      args: { PORT: "8080", UNSET: null }\n      target: run\n  web: { image: busybox }\n');
    up(env(engine), p, OPTS);
    expect(engine.calls.filter((c) => c.startsWith('build') || c.startsWith('pull'))).toEqual(['build shop-api']);
    expect(engine.builds[0]).toMatchObject({ dockerfile: 'Dockerfile.dev', tags: ['shop-api'], args: { PORT: '8080' }, target: 'run', noCache: false });
    expect(engine.builds[0]!.context).toMatch(/\/api$/);
    expect(engine.builds[0]!.labels).toMatchObject({ 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'api' });
    expect(engine.calls).toContain('create shop-api-1');
    // a second up finds the image and builds nothing
    const again = new FakeEngine();
    again.images.add('shop-api');
    up(env(again), p, OPTS);
    expect(again.calls.some((c) => c.startsWith('build'))).toBe(false);
  });

  it('stops at a build that fails, naming the service, before creating anything', () => {
    const engine = new FakeEngine();
    const p = load('name: shop\nservices:\n  api:\n    build: { context: ., dockerfile: Broken.Dockerfile }\n');
    expect(() => up(env(engine), p, OPTS)).toThrow('failed to build service "api": Dockerfile:1: unknown instruction: FORM');
    expect(engine.calls.some((c) => c.startsWith('create'))).toBe(false);
  });

  it('pulls a missing image first and stops at a pull that fails, before creating anything', () => {
    const engine = new FakeEngine();
    const e = env(engine);
    up(e, load('name: p\nservices:\n  a: { image: "redis:7" }\n'), OPTS);
    expect(engine.calls.slice(0, 1)).toEqual(['pull redis:7']);
    expect(e.lines[0]).toBe(' a  Pulling\n');
    expect(e.lines[1]).toBe(' a  Pulled\n');
    const engine2 = new FakeEngine();
    expect(() => up(env(engine2), load('name: p\nservices:\n  a: { image: busybox }\n  b: { image: "missing:1" }\n'), OPTS)).toThrow('pull access denied for missing:1');
    expect(engine2.containers).toEqual([]);
    expect(engine2.networks).toEqual([]);
  });

  it('without user networks on the daemon, joins the default bridge and says so', () => {
    const engine = new FakeEngine();
    engine.networksSupported = false;
    const e = env(engine);
    up(e, load(WP), OPTS);
    expect(engine.calls).not.toContain('network create wordpress_default');
    expect(e.warnings).toEqual([NO_NETWORKS_WARNING]);
    const wp = engine.containers.find((c) => c.name === 'wordpress-wordpress-1')!;
    expect((wp.body['HostConfig'] as Record<string, unknown>)['NetworkMode']).toBe('bridge');
    expect(wp.body['NetworkingConfig']).toBeUndefined();
  });

  it('makes the host folder of a short-syntax bind mount', () => {
    const engine = new FakeEngine();
    const e = env(engine);
    up(e, load('name: p\nservices:\n  a: { image: busybox, volumes: ["./site:/srv"] }\n'), OPTS);
    expect(e.made).toEqual(['/root/wordpress/site']);
  });
});

describe('compose down and lifecycle', () => {
  it('stops and removes dependents first, removes the network, keeps volumes; -v removes them', () => {
    const engine = new FakeEngine();
    const p = load(WP);
    up(env(engine), p, OPTS);
    engine.calls = [];
    const e = env(engine);
    down(engine, p.name, p, e.progress(), { volumes: false, removeOrphans: false, rmi: '', warn: e.warn });
    expect(engine.calls).toEqual(['stop wordpress-wordpress-1', 'rm wordpress-wordpress-1', 'stop wordpress-db-1', 'rm wordpress-db-1', 'network rm wordpress_default']);
    expect(engine.volumes.map((v) => v.Name)).toEqual(['wordpress_db_data']);
    expect(e.lines.filter((l) => l.includes('Removed')).join('')).toBe(' Container wordpress-wordpress-1  Removed\n Container wordpress-db-1  Removed\n Network wordpress_default  Removed\n');
    up(env(engine), p, OPTS);
    engine.calls = [];
    down(engine, p.name, p, e.progress(), { volumes: true, removeOrphans: false, rmi: '', warn: e.warn });
    expect(engine.calls.slice(-1)).toEqual(['volume rm wordpress_db_data']);
    expect(engine.volumes).toEqual([]);
  });

  it('warns about orphans, and removes them with --remove-orphans', () => {
    const engine = new FakeEngine();
    up(env(engine), load(WP), OPTS);
    const smaller = load(WP.replace(/  wordpress:[\s\S]*?(?=volumes:)/, ''));
    const e = env(engine);
    up(e, smaller, OPTS);
    expect(e.warnings[0]).toMatch(/^Found orphan containers \(\[wordpress-wordpress-1\]\) for this project\./);
    down(engine, smaller.name, smaller, e.progress(), { volumes: false, removeOrphans: true, rmi: '', warn: e.warn });
    expect(engine.containers).toEqual([]);
  });

  it('stop goes in reverse order, start in dependency order', () => {
    const engine = new FakeEngine();
    const p = load(WP);
    up(env(engine), p, OPTS);
    engine.calls = [];
    const e = env(engine);
    expect(lifecycle(engine, p.name, p, 'stop', [], e.progress(), {})).toBe(2);
    expect(lifecycle(engine, p.name, p, 'start', [], e.progress(), {})).toBe(2);
    expect(engine.calls).toEqual(['stop wordpress-wordpress-1', 'stop wordpress-db-1', 'start wordpress-db-1', 'start wordpress-wordpress-1']);
  });
});
