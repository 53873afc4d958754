// Health checks end to end in the real guest: dockerd execs the check in the container on its
// interval, docker ps shows "(healthy)" / "(unhealthy)", inspect has State.Health with the
// probe's output, events carry health_status, and Compose's service_healthy waits for a real
// healthy dependency (and fails naming one that turns unhealthy). Intervals are 1 s; the tests
// wait for states with generous limits and assert no timings. One guest; the tests build on
// each other.
import { describe, expect, it } from 'vitest';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';

/** Polls in the guest until the container's health status is `want` (or gives up after ~3 min). */
const waitHealth = (name: string, want: string): string =>
  `for i in $(seq 1 180); do s=$(docker inspect -f '{{.State.Health.Status}}' ${name}); [ "$s" = ${want} ] && break; sleep 1; done; echo $s`;

const HEALTHY = `name: ordered
services:
  db:
    image: busybox
    # ready only after a while: the app must not start before the check passes
    command: ["sh", "-c", "sleep 3; touch /up; sleep 600"]
    healthcheck:
      test: ["CMD-SHELL", "test -f /up"]
      interval: 1s
      retries: 30
    stop_grace_period: 1s
  app:
    image: busybox
    command: ["sleep", "600"]
    stop_grace_period: 1s
    depends_on:
      db: { condition: service_healthy }
`;

const SICK = `name: sick
services:
  db:
    image: busybox
    command: ["sleep", "600"]
    healthcheck:
      test: ["CMD", "false"]
      interval: 1s
      retries: 2
    stop_grace_period: 1s
  app:
    image: busybox
    command: ["sleep", "600"]
    depends_on:
      db: { condition: service_healthy }
`;

describe.skipIf(vmSkipReason())(guestSuite('health checks in the guest'), () => {
  const g = useGuest();
  /** The guest dockerd's own words, for a failure message. */
  const daemonLog = async (): Promise<string> => `\n--- /var/log/dockerd.log ---\n${(await g.vm.exec('tail -40 /var/log/dockerd.log')).stdout}`;

  it('a container whose check passes turns healthy, and ps shows it', async () => {
    await sh(g.vm, 'docker pull -q busybox');
    await sh(g.vm, "docker run -d --name good --health-cmd 'test -f /ready' --health-interval 1s --health-retries 2 busybox sh -c 'touch /ready; sleep 600'");
    expect((await sh(g.vm, waitHealth('good', 'healthy'), { timeoutMs: 300_000 })).trim()).toBe('healthy');
    expect(await sh(g.vm, "docker ps --filter name=good --format '{{.Status}}'")).toMatch(/^Up .+ \(healthy\)\n$/);
    expect(await sh(g.vm, 'docker ps')).toMatch(/\n\w{12}\s+busybox\s+".+"\s+.+ago\s+Up .+ \(healthy\)\s+good\n/);
    const [c] = JSON.parse(await sh(g.vm, 'docker inspect good')) as { Config: { Healthcheck: unknown }; State: { Health: { Status: string; FailingStreak: number; Log: { ExitCode: number }[] } } }[];
    expect(c!.Config.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'test -f /ready'], Interval: 1_000_000_000, Retries: 2 });
    expect(c!.State.Health.FailingStreak).toBe(0);
    expect(c!.State.Health.Log.at(-1)!.ExitCode).toBe(0);
  });

  it('one whose check fails turns unhealthy after its retries, with the probe output kept', async () => {
    await sh(g.vm, "docker run -d --name sick --health-cmd 'echo not ready; exit 1' --health-interval 1s --health-retries 2 busybox sleep 600");
    expect((await sh(g.vm, waitHealth('sick', 'unhealthy'), { timeoutMs: 300_000 })).trim()).toBe('unhealthy');
    const [c] = JSON.parse(await sh(g.vm, 'docker inspect sick')) as { State: { Running: boolean; Health: { FailingStreak: number; Log: { ExitCode: number; Output: string; Start: string; End: string }[] } } }[];
    expect(c!.State.Running).toBe(true);
    expect(c!.State.Health.FailingStreak).toBeGreaterThanOrEqual(2);
    const last = c!.State.Health.Log.at(-1)!;
    expect(last).toMatchObject({ ExitCode: 1, Output: 'not ready\n' });
    expect(Date.parse(last.End)).toBeGreaterThanOrEqual(Date.parse(last.Start));
    expect(await sh(g.vm, "docker ps --filter health=unhealthy --format '{{.Names}} {{.Status}}'")).toMatch(/^sick Up .+ \(unhealthy\)\n$/);
    expect(await sh(g.vm, "docker ps --filter health=healthy --format '{{.Names}}'")).toBe('good\n');
    // `--until 0s` is whole seconds, as in Docker: an event from this very second would be after it
    const events = await sh(g.vm, "sleep 1; docker events --since 10m --until 0s --filter event=health_status --format '{{.Action}} {{.Actor.Attributes.name}}'");
    expect(events).toContain('health_status: healthy good\n');
    expect(events).toContain('health_status: unhealthy sick\n');
    await sh(g.vm, 'docker rm -f good sick');
  });

  it('compose starts a service_healthy dependent only after its dependency turns healthy', async () => {
    await sh(g.vm, `mkdir -p /root/ordered && cat > /root/ordered/compose.yaml <<'EOF'\n${HEALTHY}EOF`);
    const r = await g.vm.exec('cd /root/ordered && docker compose up -d', { timeoutMs: 300_000 });
    expect(r.exitCode, r.stderr + (await daemonLog())).toBe(0);
    const lines = r.stderr.split('\n');
    const at = (l: string): number => lines.indexOf(l);
    expect(at(' Container ordered-db-1  Started')).toBeGreaterThanOrEqual(0);
    expect(at(' Container ordered-db-1  Waiting')).toBeGreaterThan(at(' Container ordered-db-1  Started'));
    expect(at(' Container ordered-db-1  Healthy')).toBeGreaterThan(at(' Container ordered-db-1  Waiting'));
    expect(at(' Container ordered-app-1  Started')).toBeGreaterThan(at(' Container ordered-db-1  Healthy'));
    // the app started after db's first passing check ended
    const [db] = JSON.parse(await sh(g.vm, 'docker inspect ordered-db-1')) as { State: { Health: { Log: { ExitCode: number; End: string }[] } } }[];
    const [app] = JSON.parse(await sh(g.vm, 'docker inspect ordered-app-1')) as { State: { StartedAt: string } }[];
    const firstPass = db!.State.Health.Log.find((x) => x.ExitCode === 0)!;
    expect(Date.parse(app!.State.StartedAt)).toBeGreaterThanOrEqual(Date.parse(firstPass.End));
    expect(await sh(g.vm, 'cd /root/ordered && docker compose ps')).toMatch(/\nordered-db-1\s+busybox\s+.+\s+db\s+.+ago\s+Up .+ \(healthy\)/);
    const down = await g.vm.exec('cd /root/ordered && docker compose down', { timeoutMs: 200_000 });
    expect(down.exitCode, down.stderr + (await daemonLog())).toBe(0);
  });

  it('compose fails naming the dependency that turns unhealthy, and does not start its dependent', async () => {
    await sh(g.vm, `mkdir -p /root/sick && cat > /root/sick/compose.yaml <<'EOF'\n${SICK}EOF`);
    const r = await g.vm.exec('cd /root/sick && docker compose up -d', { timeoutMs: 300_000 });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('dependency failed to start: container sick-db-1 is unhealthy');
    // app was created, never started (and, as nothing is left half-made, removed again)
    const app = await sh(g.vm, "sleep 1; docker events --since 10m --until 0s --filter container=sick-app-1 --format '{{.Action}}'");
    expect(app).toContain('create\n');
    expect(app).not.toContain('start\n');
    const db = await sh(g.vm, "docker events --since 10m --until 0s --filter container=sick-db-1 --format '{{.Action}}'");
    expect(db).toContain('health_status: unhealthy\n');
  });
});
