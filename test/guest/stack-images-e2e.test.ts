// The article's images in the real guest: mariadb:10.11 set up by its entrypoint from the
// article's variables, WordPress's install page served against it over the default bridge,
// a restart that keeps the data, `docker pull mysql:5.7` refused with the substitute named,
// redis answering PING from another container, python:3 running a one-liner. All of it in the
// default 256 MiB guest: the WordPress stack fits there (about 150 MiB, measured in
// vm-images/images/README.md; the figures this file prints). One guest for the file; the tests
// build on each other in order.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';

const registry = join(import.meta.dirname, '..', '..', 'vm-images', 'dist', 'registry');
const missingImages = ['mariadb', 'wordpress', 'redis', 'python'].filter((r) => !existsSync(join(registry, r, 'index.json')));
const imagesReason = missingImages.length ? `vm-images/dist/registry lacks ${missingImages.join(', ')}: run npm run build:images` : null;
// CI must build everything: a skip there would hide a broken build.
if (process.env.CI === 'true' && (vmSkipReason() || imagesReason)) throw new Error(`guest stack test cannot run in CI: ${vmSkipReason() ?? imagesReason}`);
const skip = vmSkipReason() ?? imagesReason;

const ENV = '-e MYSQL_ROOT_PASSWORD=somewordpress -e MYSQL_DATABASE=wordpress -e MYSQL_USER=wordpress -e MYSQL_PASSWORD=wordpress';
const WP_ENV = '-e WORDPRESS_DB_USER=wordpress -e WORDPRESS_DB_PASSWORD=wordpress -e WORDPRESS_DB_NAME=wordpress';
/** Polls `cmd` in the guest every second until it succeeds, for up to `secs`; prints its last output on failure. */
const until = (cmd: string, secs: number) =>
  `i=0; until out=$(${cmd} 2>&1); do i=$((i + 1)); if [ $i -ge ${secs} ]; then echo "$out"; exit 1; fi; sleep 1; done; echo "$out"`;
const memLine = 'free -m | sed -n 2p; grep -E "^(MemTotal|MemAvailable|Shmem):" /proc/meminfo';

describe.skipIf(skip)(guestSuite(`the article's images${imagesReason ? ` (skipped: ${imagesReason})` : ''}`), () => {
  const g = useGuest();
  const figures: string[] = [];
  const t0 = { run: 0 };

  it('refuses mysql:5.7 with what the registry has and mariadb as the drop-in replacement', async () => {
    const r = await g.vm.exec('docker pull mysql:5.7', { timeoutMs: 60_000 });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^Error response from daemon: pull access denied for mysql, repository does not exist in the offline registry/);
    expect(r.stderr).toContain('mariadb');
    expect(r.stderr).toContain('use mariadb:10.11');
    // no image was tagged mysql on the way
    expect(await sh(g.vm, 'docker images -q mysql')).toBe('');
  });

  it('starts mariadb with the article\'s variables: the database and the user exist', async () => {
    figures.push(`guest before the stack: ${(await sh(g.vm, memLine)).trim().replace(/\n/g, ' | ')}`);
    t0.run = Date.now();
    await sh(g.vm, `docker run -d --name db ${ENV} -v db_data:/var/lib/mysql mariadb:10.11`, { timeoutMs: 300_000 });
    // The first start initialises the data folder: poll as a learner would retry.
    const ok = await sh(g.vm, until(`docker exec db mariadb -uwordpress -pwordpress wordpress -e 'select 1 as answer'`, 240), { timeoutMs: 300_000 });
    expect(ok).toMatch(/answer\n1\n/);
    figures.push(`mariadb answering after ${((Date.now() - t0.run) / 1000).toFixed(1)} s (first start, data folder initialised)`);
    const logs = await sh(g.vm, 'docker logs db 2>&1');
    expect(logs).toContain('[Entrypoint]: Creating database wordpress');
    expect(logs).toContain('MariaDB init process done. Ready for start up.');
    // PID 1 of the container is the server itself (docker stop reaches it)
    expect(await sh(g.vm, 'docker exec db cat /proc/1/comm')).toBe('mariadbd\n');
    // root has the article's password; the user sees only its database
    expect(await sh(g.vm, `docker exec db mariadb -uroot -psomewordpress -N -e "select count(*) from mysql.user where user='wordpress' and host='%'"`)).toBe('1\n');
    expect(await sh(g.vm, `docker exec db mariadb -uwordpress -pwordpress -N -e 'show databases'`)).toBe('information_schema\nwordpress\n');
  }, 360_000);

  let dbIp = '';
  it('answers another container over the bridge', async () => {
    dbIp = (await sh(g.vm, "docker inspect -f '{{.NetworkSettings.IPAddress}}' db")).trim();
    expect(dbIp).toMatch(/^172\.17\.0\.\d+$/);
    expect(await sh(g.vm, `docker run --rm mariadb:10.11 mariadb -h ${dbIp} -uwordpress -pwordpress wordpress -N -e 'select 6*7'`, { timeoutMs: 120_000 })).toBe('42\n');
  }, 180_000);

  let wpIp = '';
  it('serves WordPress\'s install page against that database', async () => {
    const started = Date.now();
    await sh(g.vm, `docker run -d --name wp -e WORDPRESS_DB_HOST=${dbIp}:3306 ${WP_ENV} wordpress:latest`, { timeoutMs: 300_000 });
    wpIp = (await sh(g.vm, "docker inspect -f '{{.NetworkSettings.IPAddress}}' wp")).trim();
    // busybox wget follows WordPress's redirect to wp-admin/install.php
    const page = await sh(g.vm, until(`wget -qO- http://${wpIp}/`, 300), { timeoutMs: 360_000 });
    expect(page).toContain('WordPress');
    expect(page).toMatch(/<title>WordPress &rsaquo; Installation<\/title>/);
    figures.push(`install page answering ${((Date.now() - started) / 1000).toFixed(1)} s after docker run wordpress, ${((Date.now() - t0.run) / 1000).toFixed(1)} s after docker run mariadb`);
    const again = Date.now();
    expect(await sh(g.vm, `wget -qO- http://${wpIp}/wp-admin/install.php`)).toContain('WordPress');
    figures.push(`second request: ${((Date.now() - again) / 1000).toFixed(1)} s`);
    const logs = await sh(g.vm, 'docker logs wp 2>&1');
    expect(logs).toContain(`The database at ${dbIp}:3306 answers`);
    // the entrypoint put WordPress into the (empty) volume and wrote wp-config.php
    expect(await sh(g.vm, 'docker exec wp sh -c "ls /var/www/html/wp-config.php /var/www/html/wp-includes/version.php && stat -c %U /var/www/html/index.php"')).toBe(
      '/var/www/html/wp-config.php\n/var/www/html/wp-includes/version.php\nwww-data\n',
    );
    figures.push(`guest with the stack: ${(await sh(g.vm, memLine)).trim().replace(/\n/g, ' | ')}`);
    for (const c of ['db', 'wp']) {
      const id = (await sh(g.vm, `docker inspect -f '{{.Id}}' ${c}`)).trim();
      const cur = Number((await sh(g.vm, `cat /sys/fs/cgroup/docker/${id}/memory.current`)).trim());
      figures.push(`${c} cgroup memory.current: ${(cur / 1048576).toFixed(1)} MiB`);
    }
    figures.push(`daemons (dockerd, shims): ${(await sh(g.vm, "ps -o rss,comm | awk '/dockerd|containerd-shim|docker-proxy/ {s+=$1} END {print s/1024 \" MiB RSS\"}'")).trim()}`);
  }, 420_000);

  it('keeps the data across a restart of the database container', async () => {
    await sh(g.vm, `docker exec db mariadb -uwordpress -pwordpress wordpress -e 'create table kept (x int); insert into kept values (42)'`);
    const stopped = Date.now();
    expect(await sh(g.vm, 'docker stop db', { timeoutMs: 60_000 })).toBe('db\n');
    figures.push(`docker stop db: ${((Date.now() - stopped) / 1000).toFixed(1)} s`);
    // SIGTERM reached mariadbd (PID 1): a clean exit, not a kill after 10 s
    expect(await sh(g.vm, "docker inspect -f '{{.State.ExitCode}}' db")).toBe('0\n');
    await sh(g.vm, 'docker start db');
    const x = await sh(g.vm, until(`docker exec db mariadb -uwordpress -pwordpress wordpress -N -e 'select x from kept'`, 180), { timeoutMs: 240_000 });
    expect(x).toBe('42\n');
    const logs = await sh(g.vm, 'docker logs db 2>&1');
    // initialised once only
    expect(logs.match(/MariaDB init process done/g)).toHaveLength(1);
  }, 300_000);

  it('redis answers PING, also from another container', async () => {
    await sh(g.vm, 'docker rm -f wp db >/dev/null');
    await sh(g.vm, 'docker run -d --name cache redis:7', { timeoutMs: 120_000 });
    expect(await sh(g.vm, until('docker exec cache redis-cli ping', 60), { timeoutMs: 120_000 })).toBe('PONG\n');
    const ip = (await sh(g.vm, "docker inspect -f '{{.NetworkSettings.IPAddress}}' cache")).trim();
    // protected mode is off, as in Docker's image: a client on the bridge is served
    expect(await sh(g.vm, `docker run --rm redis:7 redis-cli -h ${ip} ping`, { timeoutMs: 120_000 })).toBe('PONG\n');
    expect(await sh(g.vm, `docker run --rm redis:7 redis-cli -h ${ip} incr hits`)).toBe('1\n');
    await sh(g.vm, 'docker rm -f cache >/dev/null');
  }, 300_000);

  it('python:3 runs a one-liner', async () => {
    expect(await sh(g.vm, "docker run --rm python:3 python3 -c 'print(6*7)'", { timeoutMs: 120_000 })).toBe('42\n');
    console.info(`[stack figures]\n  ${figures.join('\n  ')}`);
  }, 180_000);
});
