// busybox: Debian's pinned busybox-static, with a link for every applet and a minimal /etc.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { extractDeb, fetchDeb } from '../lib/apt.ts';
import { run } from '../lib/exec.ts';
import { BuildError } from '../lib/progress.ts';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'daemon:x:1:1:daemon:/usr/sbin:/bin/false',
  'bin:x:2:2:bin:/bin:/bin/false',
  'sys:x:3:3:sys:/dev:/bin/false',
  'sync:x:4:100:sync:/bin:/bin/sync',
  'mail:x:8:8:mail:/var/spool/mail:/bin/false',
  'www-data:x:33:33:www-data:/var/www:/bin/false',
  'operator:x:37:37:Operator:/var:/bin/false',
  'nobody:x:65534:65534:nobody:/home:/bin/false',
];
const GROUP = [
  'root:x:0:', 'daemon:x:1:', 'bin:x:2:', 'sys:x:3:', 'adm:x:4:', 'tty:x:5:', 'disk:x:6:', 'wheel:x:10:root',
  'mail:x:8:', 'www-data:x:33:', 'operator:x:37:', 'staff:x:50:', 'users:x:100:', 'nogroup:x:65534:',
];

export async function buildBusyboxTree(scope: string, tree: string, workDir: string): Promise<void> {
  const deb = await fetchDeb(scope, 'busybox-static');
  const x = mkdtempSync(join(workDir, 'busybox-deb-'));
  try {
    await extractDeb(deb, x);
    const dirs: Array<[string, number]> = [
      ['bin', 0o755], ['dev', 0o755], ['etc', 0o755], ['home', 0o755], ['root', 0o700], ['tmp', 0o1777],
      ['usr/bin', 0o755], ['usr/sbin', 0o755], ['sbin', 0o755], ['var/spool/mail', 0o755], ['var/www', 0o755],
    ];
    for (const [d, mode] of dirs) {
      mkdirSync(join(tree, d), { recursive: true });
      chmodSync(join(tree, d), mode);
    }
    const bin = join(tree, 'bin', 'busybox');
    copyFileSync(join(x, 'bin', 'busybox'), bin);
    chmodSync(bin, 0o755);
    // The applet list comes from the binary itself (an i386 program: see i386-exec.ts).
    const applets = (await run(bin, ['--list-full'])).split('\n').map((s) => s.trim()).filter(Boolean);
    if (applets.length < 100) throw new BuildError(`busybox --list-full printed only ${applets.length} applets`);
    for (const a of applets) {
      if (a === 'bin/busybox') continue;
      const link = join(tree, a);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(relative(dirname(link), bin), link);
    }
    writeFileSync(join(tree, 'etc', 'passwd'), PASSWD.join('\n') + '\n');
    writeFileSync(join(tree, 'etc', 'group'), GROUP.join('\n') + '\n');
    for (const f of ['passwd', 'group']) chmodSync(join(tree, 'etc', f), 0o644);
  } finally {
    rmSync(x, { recursive: true, force: true });
  }
}
