// The article's last example end to end in the real guest: its docker-compose.yml (with
// mariadb:10.11 for mysql:5.7, which has no i386 build) brought up with `docker-compose up -d`,
// WordPress's install page answering on the published port 8000, the install finished with the
// form's real POST, the blog's home page showing its title, then `down` keeping the database
// volume and `down -v` removing it. One guest; the tests build on each other in order.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';

const registry = join(import.meta.dirname, '..', '..', 'vm-images', 'dist', 'registry');
const missing = ['mariadb', 'wordpress'].filter((r) => !existsSync(join(registry, r, 'index.json')));
const imagesReason = missing.length ? `vm-images/dist/registry lacks ${missing.join(', ')}: run npm run build:images` : null;
if (process.env.CI === 'true' && (vmSkipReason() || imagesReason)) throw new Error(`compose WordPress test cannot run in CI: ${vmSkipReason() ?? imagesReason}`);
const skip = vmSkipReason() ?? imagesReason;

/** The article's file, word for word, but for the database image. */
const ARTICLE = (dbImage: string) => `version: '3.3'
services:
   db:
     image: ${dbImage}
     volumes:
       - db_data:/var/lib/mysql
     restart: always
     environment:
       MYSQL_ROOT_PASSWORD: somewordpress
       MYSQL_DATABASE: wordpress
       MYSQL_USER: wordpress
       MYSQL_PASSWORD: wordpress
   wordpress:
     depends_on:
       - db
     image: wordpress:latest
     ports:
       - "8000:80"
     restart: always
     environment:
       WORDPRESS_DB_HOST: db:3306
       WORDPRESS_DB_USER: wordpress
       WORDPRESS_DB_PASSWORD: wordpress
       WORDPRESS_DB_NAME: wordpress
volumes:
    db_data: {}
`;

/** Polls `cmd` every second until it succeeds, for up to `secs`; prints its last output either way. */
const until = (cmd: string, secs: number) =>
  `i=0; until out=$(${cmd} 2>&1); do i=$((i + 1)); if [ $i -ge ${secs} ]; then echo "$out"; exit 1; fi; sleep 1; done; echo "$out"`;
const inProject = (cmd: string) => `cd /root/wordpress && ${cmd}`;

describe.skipIf(skip)(guestSuite(`the article's WordPress stack with docker-compose${imagesReason ? ` (skipped: ${imagesReason})` : ''}`), () => {
  const g = useGuest();

  it('refuses mysql:5.7 naming mariadb:10.11, and creates no containers', async () => {
    await sh(g.vm, `mkdir -p /root/wordpress && cat > /root/wordpress/docker-compose.yml <<'EOF'\n${ARTICLE('mysql:5.7')}EOF`);
    const r = await g.vm.exec(inProject('docker-compose up -d'), { timeoutMs: 120_000 });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain("the attribute `version` is obsolete");
    expect(r.stderr).toContain('mariadb:10.11');
    expect(await sh(g.vm, 'docker ps -aq')).toBe('');
    await g.vm.exec(inProject('docker-compose down -v'));
  }, 180_000);

  it('brings the stack up: network, volume, db before wordpress, port 8000 published', async () => {
    await sh(g.vm, `cat > /root/wordpress/docker-compose.yml <<'EOF'\n${ARTICLE('mariadb:10.11')}EOF`);
    const r = await g.vm.exec(inProject('docker-compose up -d'), { timeoutMs: 400_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    for (const line of [' Network wordpress_default  Created', ' Volume "wordpress_db_data"  Created', ' Container wordpress-db-1  Started', ' Container wordpress-wordpress-1  Started']) {
      expect(r.stderr).toContain(line);
    }
    expect(r.stderr.indexOf(' Container wordpress-db-1  Started')).toBeLessThan(r.stderr.indexOf(' Container wordpress-wordpress-1  Starting'));
    const ps = await sh(g.vm, inProject('docker-compose ps'));
    expect(ps).toMatch(/\nwordpress-wordpress-1\s+wordpress:latest\s+.*Up .*0\.0\.0\.0:8000->80\/tcp/);
    expect(ps).toMatch(/\nwordpress-db-1\s+mariadb:10\.11\s+.*Up /);
    expect(await sh(g.vm, 'docker port wordpress-wordpress-1')).toContain('80/tcp -> 0.0.0.0:8000\n');
  }, 480_000);

  it('serves the install page on localhost:8000, reaching the database by its service name', async () => {
    // The first start initialises MariaDB's data folder: poll as a learner would reload.
    const page = await sh(g.vm, until('wget -qO- http://localhost:8000/', 300), { timeoutMs: 360_000 });
    expect(page).toMatch(/<title>WordPress &rsaquo; Installation<\/title>/);
    // the entrypoint writes to stderr; Compose keeps the streams apart as it does
    expect(await sh(g.vm, inProject('docker-compose logs wordpress 2>&1'))).toContain('The database at db:3306 answers');
  }, 420_000);

  it('finishes the install with the form\'s POST; the home page then shows the blog', async () => {
    const form = [
      'weblog_title=Whalebone+Notes', 'user_name=learner', 'admin_password=correct-horse-battery-staple',
      'admin_password2=correct-horse-battery-staple', 'pw_weak=1', 'admin_email=learner%40example.org', 'blog_public=0',
      'Submit=Install+WordPress', 'language=',
    ].join('&');
    const done = await sh(g.vm, `wget -qO- --post-data '${form}' 'http://localhost:8000/wp-admin/install.php?step=2'`, { timeoutMs: 300_000 });
    expect(done).toContain('Success!');
    const home = await sh(g.vm, 'wget -qO- http://localhost:8000/', { timeoutMs: 120_000 });
    expect(home).toContain('Whalebone Notes');
    // the answer came out of MariaDB in the other container
    expect(await sh(g.vm, `docker exec wordpress-db-1 mariadb -uwordpress -pwordpress wordpress -N -e "select option_value from wp_options where option_name='blogname'"`)).toBe('Whalebone Notes\n');
  }, 420_000);

  it('down removes containers and network but keeps db_data; down -v removes it', async () => {
    const r = await g.vm.exec(inProject('docker-compose down'), { timeoutMs: 200_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr.indexOf(' Container wordpress-wordpress-1  Removed')).toBeLessThan(r.stderr.indexOf(' Container wordpress-db-1  Removed'));
    expect(r.stderr).toContain(' Network wordpress_default  Removed');
    expect(await sh(g.vm, 'docker ps -aq')).toBe('');
    // the named volume stays; so does the anonymous one of the image's VOLUME /var/www/html, as in Docker
    expect((await sh(g.vm, 'docker volume ls -q')).split('\n')).toContain('wordpress_db_data');
    const v = await g.vm.exec(inProject('docker-compose down -v'), { timeoutMs: 120_000 });
    expect(v.exitCode, v.stderr).toBe(0);
    expect(await sh(g.vm, 'docker volume ls -q')).not.toContain('wordpress_db_data');
  }, 300_000);
});
