// docker compose end to end in the real guest: two busybox services (an httpd and a client that
// fetches from it by service name on the project's network), brought up detached, seen
// in ps and logs with Compose's names and labels, left alone by a second up, taken down keeping
// the named volume, and down -v removing it. One guest; the tests build on each other.
import { describe, expect, it } from 'vitest';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';

const COMPOSE = `services:
  web:
    image: busybox
    command: ["sh", "-c", "echo hello-from-web > /www/index.html; echo web ready; exec httpd -f -p 8080 -h /www"]
    volumes: [site:/www]
    # sh and httpd as PID 1 ignore SIGTERM: the grace period is how long down waits before SIGKILL
    stop_grace_period: 1s
  client:
    image: busybox
    depends_on: [web]
    stop_grace_period: 1s
    command: ["sh", "-c", "echo client started; for i in $$(seq 1 60); do wget -qO- http://web:8080/ && exit 0; sleep 1; done; exit 1"]
volumes:
  site:
`;

describe.skipIf(vmSkipReason())(guestSuite('docker compose in the guest'), () => {
  const g = useGuest();
  const inDemo = (cmd: string): string => `cd /root/demo && ${cmd}`;

  it('brings the project up detached: volume, then containers in depends_on order', async () => {
    await sh(g.vm, `mkdir -p /root/demo && cat > /root/demo/compose.yaml <<'EOF'\n${COMPOSE}EOF`);
    await sh(g.vm, 'docker pull -q busybox');
    const r = await g.vm.exec(inDemo('docker compose up -d'), { timeoutMs: 200_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    // no terminal: one progress line per event, in order
    const lines = r.stderr.split('\n').filter((l) => l.startsWith(' '));
    expect(lines.filter((l) => /(Created|Started)$/.test(l))).toEqual(expect.arrayContaining([' Volume "demo_site"  Created', ' Container demo-web-1  Created', ' Container demo-client-1  Created', ' Container demo-web-1  Started', ' Container demo-client-1  Started']));
    expect(lines.indexOf(' Container demo-web-1  Started')).toBeLessThan(lines.indexOf(' Container demo-client-1  Starting'));
    const ps = await sh(g.vm, inDemo('docker compose ps -a'));
    expect(ps.split('\n')[0]).toMatch(/^NAME\s+IMAGE\s+COMMAND\s+SERVICE\s+CREATED\s+STATUS\s+PORTS$/);
    expect(ps).toMatch(/\ndemo-web-1\s+busybox\s+"sh -c 'echo hello-f…"\s+web\s+.+ago\s+Up /);
    expect(ps).toMatch(/\ndemo-client-1\s+busybox\s+.+\s+client\s+/);
    const [web] = JSON.parse(await sh(g.vm, 'docker inspect demo-web-1')) as { Config: { Labels: Record<string, string> } }[];
    expect(web!.Config.Labels).toMatchObject({
      'com.docker.compose.project': 'demo',
      'com.docker.compose.service': 'web',
      'com.docker.compose.container-number': '1',
      'com.docker.compose.oneoff': 'False',
      'com.docker.compose.project.working_dir': '/root/demo',
      'com.docker.compose.project.config_files': '/root/demo/compose.yaml',
    });
    expect(web!.Config.Labels['com.docker.compose.config-hash']).toMatch(/^[0-9a-f]{64}$/);
    // the client may already have fetched from web and exited: Compose then lists "exited(1), running(1)"
    expect(await sh(g.vm, 'docker compose ls')).toMatch(/\ndemo\s+(exited\(1\), )?running\(\d\)\s+\/root\/demo\/compose\.yaml\n/);
  });

  it('shows the logs with service prefixes, and the client reaches web by its service name on the project network', async () => {
    const logs = await sh(g.vm, inDemo('for i in $(seq 1 90); do docker compose logs client | grep -q hello-from-web && break; sleep 1; done; docker compose logs'));
    expect(logs).toContain('web-1     | web ready\n');
    expect(logs).toContain('client-1  | client started\n');
    expect(logs).toContain('client-1  | hello-from-web\n');
    expect(await sh(g.vm, 'docker network ls --format "{{.Name}}"')).toContain('demo_default\n');
    const [c] = JSON.parse(await sh(g.vm, 'docker inspect demo-client-1')) as { HostConfig: { NetworkMode: string }; NetworkSettings: { Networks: Record<string, { Aliases: string[] | null }> } }[];
    expect(c!.HostConfig.NetworkMode).toBe('demo_default');
    expect(c!.NetworkSettings.Networks['demo_default']!.Aliases).toContain('client');
  });

  it('leaves unchanged services alone on a second up', async () => {
    const before = await sh(g.vm, 'docker inspect -f "{{.Id}}" demo-web-1');
    const r = await g.vm.exec(inDemo('docker compose up -d web'));
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(' Container demo-web-1  Running\n');
    expect(r.stderr).not.toContain('Created');
    expect(await sh(g.vm, 'docker inspect -f "{{.Id}}" demo-web-1')).toBe(before);
  });

  it('down removes the containers and the network and keeps the named volume; down -v removes it', async () => {
    const r = await g.vm.exec(inDemo('docker compose down'), { timeoutMs: 200_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(' Container demo-web-1  Removed\n');
    expect(r.stderr.indexOf(' Container demo-client-1  Removed')).toBeLessThan(r.stderr.indexOf(' Container demo-web-1  Removed'));
    expect(await sh(g.vm, 'docker ps -a --format "{{.Names}}"')).toBe('');
    expect(await sh(g.vm, 'docker network ls --format "{{.Name}}"')).not.toContain('demo_default');
    expect(await sh(g.vm, 'docker volume ls --format "{{.Name}}"')).toBe('demo_site\n');
    const v = await g.vm.exec(inDemo('docker-compose down -v'));
    expect(v.exitCode, v.stderr).toBe(0);
    expect(v.stderr).toContain(' Volume demo_site  Removed\n');
    expect(await sh(g.vm, 'docker volume ls -q')).toBe('');
  });

  it('reports a typo with its path and creates nothing', async () => {
    await sh(g.vm, "printf 'services:\\n  web:\\n    image: busybox\\n    portz: [80]\\n' > /root/demo/compose.yaml");
    const r = await g.vm.exec(inDemo('docker compose up -d'));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('validating /root/demo/compose.yaml: services.web Additional property portz is not allowed\n');
    expect(await sh(g.vm, 'docker ps -aq')).toBe('');
  });

  it('builds a service from its build section with the engine\'s docker build, and runs it', async () => {
    await sh(g.vm, "mkdir -p /root/built/app && printf 'FROM busybox\\nARG GREETING=hi\\nRUN echo \"$GREETING from a compose build\" > /built.txt\\nCMD [\"cat\", \"/built.txt\"]\\n' > /root/built/app/Dockerfile");
    await sh(g.vm, "printf 'services:\\n  app:\\n    build:\\n      context: ./app\\n      args:\\n        GREETING: hello\\n' > /root/built/compose.yaml");
    const b = await g.vm.exec('cd /root/built && docker compose build', { timeoutMs: 200_000 });
    expect(b.exitCode, b.stderr).toBe(0);
    expect(await sh(g.vm, 'docker image inspect -f "{{index .Config.Labels \\"com.docker.compose.service\\"}}" built-app')).toBe('app\n');
    const r = await g.vm.exec('cd /root/built && docker compose run --rm app', { timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('hello from a compose build');
    // a broken Dockerfile stops up with the service named, and nothing is created
    await sh(g.vm, "printf 'FORM busybox\\n' > /root/built/app/Dockerfile");
    const bad = await g.vm.exec('cd /root/built && docker compose up -d --build', { timeoutMs: 120_000 });
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toContain('failed to build service "app"');
    expect(await sh(g.vm, 'docker ps -aq --filter label=com.docker.compose.project=built')).toBe('');
  }, 300_000);
});
