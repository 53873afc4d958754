// Headless guest CLI for lesson authors and tests:
//   npm run vm -- exec '<shell command>'   restore the snapshot, run, print output, exit with its code
//   npm run vm -- shell                    interactive serial shell (Ctrl-] quits)
//   npm run vm -- boot [--cold]            time a boot
import { createNodeVm } from '../src/vm/node.ts';
import type { VmCore } from '../src/vm/core.ts';

const USAGE = `usage: npm run vm -- <command> [options]

commands:
  exec '<shell command>'   restore the boot snapshot, run the command in the guest,
                           print its stdout and stderr, exit with its exit code
  shell                    interactive shell on the guest's console (Ctrl-] quits)
  boot                     time a boot from the snapshot and the first command answered

options:
  --cold                   boot the kernel instead of restoring the snapshot
  --timeout <seconds>      exec: give up (and kill the command) after this long (default 30)
  --memory <MiB>           guest memory (default 256)
  --verbose                print boot progress on stderr
`;

function usage(message?: string): never {
  if (message) process.stderr.write(`vm: ${message}\n\n`);
  process.stderr.write(USAGE);
  process.exit(2);
}

interface Args {
  command: string;
  rest: string[];
  cold: boolean;
  verbose: boolean;
  timeoutMs?: number;
  memoryMiB?: number;
}

function parseArgs(argv: string[]): Args {
  const rest: string[] = [];
  const a: Args = { command: '', rest, cold: false, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i] as string;
    const num = (name: string): number => {
      const n = Number(argv[++i]);
      if (!(n > 0)) usage(`${name} needs a positive number`);
      return n;
    };
    if (v === '--cold') a.cold = true;
    else if (v === '--verbose' || v === '-v') a.verbose = true;
    else if (v === '--timeout') a.timeoutMs = num('--timeout') * 1000;
    else if (v === '--memory') a.memoryMiB = num('--memory');
    else if (v === '--help' || v === '-h') usage();
    else if (v.startsWith('--')) usage(`unknown option ${v}`);
    else if (!a.command) a.command = v;
    else rest.push(v);
  }
  return a;
}

async function boot(args: Args): Promise<VmCore> {
  const vm = createNodeVm({ memoryMiB: args.memoryMiB, log: (m) => process.stderr.write(`vm: ${m}\n`) });
  await vm.boot({
    snapshot: !args.cold,
    onProgress: args.verbose ? (p) => process.stderr.write(`vm: [${p.phase}] ${p.message}\n`) : undefined,
  });
  return vm;
}

async function execCommand(args: Args): Promise<number> {
  if (args.rest.length !== 1) usage(`exec takes one argument, the shell command (quote it), got ${args.rest.length}`);
  const vm = await boot(args);
  try {
    const r = await vm.exec(args.rest[0] as string, { timeoutMs: args.timeoutMs });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    return r.exitCode;
  } finally {
    await vm.destroy();
  }
}

async function shell(args: Args): Promise<number> {
  const vm = await boot(args);
  const stdin = process.stdin;
  process.stderr.write('vm: guest shell on ttyS0; Ctrl-] quits\r\n');
  vm.onTerminal((d) => process.stdout.write(d));
  if (process.stdout.isTTY) {
    const resize = () => void vm.resizeTerminal(process.stdout.columns, process.stdout.rows).catch(() => undefined);
    process.stdout.on('resize', resize);
    resize();
  }
  if (stdin.isTTY) stdin.setRawMode(true);
  vm.sendTerminal('\n'); // the snapshot's prompt was printed before we listened: ask for a new one
  await new Promise<void>((resolve) => {
    stdin.on('data', (d: Buffer) => {
      const quit = d.indexOf(0x1d);
      if (quit >= 0) {
        if (quit > 0) vm.sendTerminal(new Uint8Array(d.subarray(0, quit)));
        resolve();
      } else vm.sendTerminal(new Uint8Array(d));
    });
    stdin.on('end', resolve);
  });
  if (stdin.isTTY) stdin.setRawMode(false);
  process.stderr.write('\r\nvm: bye\n');
  await vm.destroy();
  return 0;
}

async function timeBoot(args: Args): Promise<number> {
  const t0 = performance.now();
  const vm = await boot({ ...args, verbose: true });
  const booted = performance.now();
  const r = await vm.exec('uname -r');
  const answered = performance.now();
  const how = vm.lastBoot?.mode === 'cold' ? 'cold boot to prompt' : 'snapshot restore';
  process.stdout.write(
    `${how}: ${((booted - t0) / 1000).toFixed(2)} s; first command answered after ${((answered - t0) / 1000).toFixed(2)} s (kernel ${r.stdout.trim()})\n`,
  );
  await vm.destroy();
  return 0;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  switch (args.command) {
    case 'exec':
      return execCommand(args);
    case 'shell':
      return shell(args);
    case 'boot':
      return timeBoot(args);
    case '':
      usage();
    default:
      usage(`unknown command ${args.command}`);
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    const err = e as Error;
    process.stderr.write(`vm: ${err.name === 'VmTimeoutError' || err.name === 'VmError' ? err.message : (err.stack ?? err.message)}\n`);
    process.exit(err.name === 'VmTimeoutError' ? 124 : 1);
  },
);
