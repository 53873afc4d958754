// Pins Debian packages by version and sha256 in vm-images/pins.json.
//   npm run pin -- deb busybox-static iproute2     (current bookworm i386 candidates)
//   npm run pin -- src quickjs[=2025.04.26-1]        (source packages, bookworm or trixie)
import { readPins, writePins, resolveDeb, resolveSource } from './lib/apt.ts';
import { runMain, log } from './lib/progress.ts';

runMain('pin', async () => {
  const [kind, ...names] = process.argv.slice(2);
  if ((kind !== 'deb' && kind !== 'src') || names.length === 0) {
    process.stderr.write('usage: npm run pin -- deb <package>... | src <package>[=<version>]...\n');
    process.exit(2);
  }
  for (const spec of names) {
    const [name = '', version] = spec.split('=');
    const pins = readPins();
    if (kind === 'deb') pins.debs[name] = await resolveDeb('pin', name);
    else pins.sources[name] = await resolveSource('pin', name, version);
    writePins(pins);
    log('pin', `${kind} ${name} ${kind === 'deb' ? pins.debs[name]?.version : pins.sources[name]?.version}`);
  }
});
