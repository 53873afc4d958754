// `whalebone mirror`: the offline Debian mirror's two servers, started at boot by
// /etc/whalebone/init.d/40-mirror: a name server that answers Debian's host names with the
// mirror's address (NXDOMAIN for every other name) and an HTTP server of the archive on the 9p
// share. Runs until the guest stops.
import { DnsServer } from '../net/dns/server.ts';
import { print, printErr } from '../sys/io.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import { MIRROR_ADDRESS, MIRROR_HOSTS, MIRROR_ROOT, MIRROR_URL_PREFIXES } from './config.ts';
import { serveArchiveFile } from './files.ts';
import { listenHttp } from './http.ts';
import { enterMirrorNamespace } from './netns.ts';

const USAGE = `
Usage:  whalebone mirror [--root DIR] [--no-netns] [--verbose]

Serves the offline Debian mirror at ${MIRROR_ADDRESS} (HTTP on 80, DNS on 53).

Options:
  --root DIR    the archive (default ${MIRROR_ROOT})
  --no-netns    stay in this network namespace (tests)
  --verbose     log every request
`;

export async function mirrorMain(args: string[], sys: Syscalls): Promise<number> {
  let root = MIRROR_ROOT;
  let netns = true;
  let verbose = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--root' && args[i + 1]) root = args[++i]!;
    else if (a === '--no-netns') netns = false;
    else if (a === '--verbose') verbose = true;
    else if (a === '--help' || a === '-h') {
      print(sys, USAGE);
      return 0;
    } else {
      printErr(sys, `whalebone mirror: unknown argument ${a}\n${USAGE}`);
      return 1;
    }
  }
  try {
    if (netns) enterMirrorNamespace(sys);
    const names = Object.fromEntries(MIRROR_HOSTS.map((h) => [h, [MIRROR_ADDRESS]]));
    new DnsServer(sys, { names }).start(netns ? MIRROR_ADDRESS : '0.0.0.0', 53);
    listenHttp(sys, netns ? MIRROR_ADDRESS : '0.0.0.0', 80, (req) => serveArchiveFile(sys, root, MIRROR_URL_PREFIXES, req), verbose ? (l) => print(sys, `${l}\n`) : undefined);
  } catch (e) {
    printErr(sys, `whalebone mirror: ${(e as Error).message}\n`);
    return 1;
  }
  print(sys, `whalebone mirror: serving ${root} at ${MIRROR_ADDRESS} (http 80, dns 53)\n`);
  return new Promise<number>(() => {});
}
