// The offline Debian mirror end to end in the real guest: the name server and HTTP server that
// /etc/whalebone/init.d/40-mirror starts at boot, the archive over 9p (vm-images/dist/mirror),
// and the debian image's own, unmodified sources list and apt. One container does it all: each
// container start costs seconds in the emulator.
import { describe, expect, it } from 'vitest';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';

describe.skipIf(vmSkipReason())(guestSuite('offline Debian mirror in the guest'), () => {
  const g = useGuest();

  it('runs in a namespace of its own, named by the guest resolver', async () => {
    expect(await sh(g.vm, 'cat /etc/resolv.conf')).toBe('nameserver 10.86.0.53\n');
    expect(await sh(g.vm, 'ip -4 addr show wb-mirror')).toContain('inet 10.86.0.54/30');
    // nothing of the guest's own listens on 80: `docker run -p 80:80` can have it
    expect(await sh(g.vm, 'busybox httpd -f -p 80 & sleep 1; if kill $! 2>/dev/null; then echo free; else echo taken; fi')).toBe('free\n');
    // the guest itself gets the archive over HTTP, by name
    expect(await sh(g.vm, 'wget -qO- http://deb.debian.org/debian/dists/bookworm/Release | head -3')).toBe('Origin: Whalebone\nLabel: Whalebone offline mirror\nSuite: bookworm\n');
  });

  it('apt-get update and install work in debian:bookworm-slim; missing packages and other hosts fail as they would', async () => {
    await sh(g.vm, 'docker pull -q debian:bookworm-slim');
    const script = [
      'apt-get update; echo "update exit $?"',
      'apt-get install -y curl > /tmp/install.log 2>&1; echo "install exit $?"; tail -n 3 /tmp/install.log',
      'curl --version | head -n 1',
      'apt-get install -y doesnotexist; echo "missing exit $?"',
      'curl -sS http://example.com; echo "curl exit $?"',
    ].join('\n');
    const r = await g.vm.exec(`docker run --rm debian:bookworm-slim sh -c '${script}' 2>&1`, { timeoutMs: 900_000 });
    const out = r.stdout;
    expect(r.exitCode, out).toBe(0);
    expect(out).toContain('Get:1 http://deb.debian.org/debian bookworm InRelease');
    expect(out).toContain('update exit 0');
    // no warnings from apt-get update (a missing suite, an unsigned or unknown-key Release)
    expect(out.slice(0, out.indexOf('update exit 0'))).not.toMatch(/^(W|E|Err):/m);
    expect(out).toContain('install exit 0');
    expect(out).toMatch(/^curl 7\.88\.1 \(i686-pc-linux-gnu\)/m);
    expect(out).toContain('E: Unable to locate package doesnotexist');
    expect(out).toContain('missing exit 100');
    expect(out).toContain('curl: (6) Could not resolve host: example.com');
    expect(out).toContain('curl exit 6');
    // apt in the emulator: a process per fetch, gpgv, dpkg per package; minutes under load
  }, 900_000);
});
