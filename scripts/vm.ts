// Headless guest CLI for lesson authors and tests:
//   npm run vm -- exec '<shell command>'   restore the snapshot, run, print output, exit with its code
//   npm run vm -- shell                    interactive serial shell (Ctrl-] quits)
//   npm run vm -- boot [--cold]            time a boot
//   npm run vm -- http <port> [path]       an HTTP request to a guest port over v86's network
import { createNodeVm } from '../src/vm/node.ts';
import type { VmCore } from '../src/vm/core.ts';
import type { HeaderList, HttpResponse } from '../src/vm/http/types.ts';

const USAGE = `usage: npm run vm -- <command> [options]

commands:
  exec '<shell command>'   restore the boot snapshot, run the command in the guest,
                           print its stdout and stderr, exit with its exit code
  shell                    interactive shell on the guest's console (Ctrl-] quits)
  boot                     time a boot from the snapshot and the first command answered
  http <port> [path]       send an HTTP request to a TCP port of the guest over v86's network
                           (the road the page's port preview takes), print the body; exits 7
                           when nothing listens on the port, 28 when the server stops answering

options:
  --cold                   boot the kernel instead of restoring the snapshot
  --timeout <seconds>      exec: give up (and kill the command) after this long (default 30)
  --memory <MiB>           guest memory (default 256)
  --verbose                print boot progress on stderr

http options:
  -X <method>              request method (default GET, or POST with -d)
  -d <body>                request body (text; @file reads a file)
  -H 'Name: value'         a request header (repeatable)
  -i                       print the status line and headers before the body
  --setup '<command>'      run a guest command first (e.g. 'docker run -d -p 8080:80 nginx')
  --wait <seconds>         retry while nothing listens on the port yet (default 60 with --setup, else 0)

example:
  npm run vm -- http 8080 / --setup 'docker run -d -p 8080:80 nginx'
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
  method?: string;
  data?: string;
  headers: HeaderList;
  include: boolean;
  setup?: string;
  waitMs?: number;
}

function parseArgs(argv: string[]): Args {
  const rest: string[] = [];
  const a: Args = { command: '', rest, cold: false, verbose: false, headers: [], include: false };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i] as string;
    const num = (name: string): number => {
      const n = Number(argv[++i]);
      if (!(n > 0)) usage(`${name} needs a positive number`);
      return n;
    };
    const value = (name: string): string => {
      const next = argv[++i];
      if (next === undefined) usage(`${name} needs a value`);
      return next;
    };
    if (v === '-X') a.method = value('-X');
    else if (v === '-d') a.data = value('-d');
    else if (v === '-H') {
      const h = value('-H');
      const c = h.indexOf(':');
      if (c <= 0) usage(`-H takes 'Name: value', got ${JSON.stringify(h)}`);
      a.headers.push([h.slice(0, c).trim(), h.slice(c + 1).trim()]);
    } else if (v === '-i') a.include = true;
    else if (v === '--setup') a.setup = value('--setup');
    else if (v === '--wait') a.waitMs = num('--wait') * 1000;
    else if (v === '--cold') a.cold = true;
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

async function httpCommand(args: Args): Promise<number> {
  const [portArg, path = '/', ...extra] = args.rest;
  if (portArg === undefined || extra.length) usage('http takes a port and an optional path');
  const port = Number(portArg);
  if (!Number.isInteger(port) || port < 1 || port > 65535) usage(`bad port ${JSON.stringify(portArg)}: it must be 1 to 65535`);
  if (!path.startsWith('/')) usage(`the path must start with /, got ${JSON.stringify(path)}`);
  let body: Uint8Array | undefined;
  if (args.data !== undefined) {
    const { readFileSync } = await import('node:fs');
    body = args.data.startsWith('@') ? new Uint8Array(readFileSync(args.data.slice(1))) : new TextEncoder().encode(args.data);
  }
  const vm = await boot(args);
  try {
    if (args.setup) {
      const r = await vm.exec(args.setup, { timeoutMs: args.timeoutMs ?? 120_000 });
      process.stderr.write(r.stderr);
      if (r.exitCode !== 0) {
        process.stderr.write(r.stdout);
        process.stderr.write(`vm: --setup exited ${r.exitCode}\n`);
        return r.exitCode;
      }
    }
    const deadline = Date.now() + (args.waitMs ?? (args.setup ? 60_000 : 0));
    const headers = args.headers;
    if (body && !headers.some(([k]) => k.toLowerCase() === 'content-type')) headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
    let res: HttpResponse;
    for (;;) {
      try {
        res = await vm.http(port, { method: args.method ?? (body ? 'POST' : 'GET'), path, headers, ...(body ? { body } : {}), ...(args.timeoutMs ? { timeoutMs: args.timeoutMs } : {}) });
        break;
      } catch (e) {
        if ((e as Error).name !== 'NothingListeningError' || Date.now() >= deadline) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    if (args.include) {
      process.stdout.write(`HTTP/1.1 ${res.status} ${res.statusText}\r\n`);
      for (const [k, v] of res.headers) process.stdout.write(`${k}: ${v}\r\n`);
      process.stdout.write('\r\n');
    }
    process.stdout.write(res.body);
    return 0;
  } finally {
    await vm.destroy();
  }
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
    case 'http':
      return httpCommand(args);
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
    // curl's codes for the same failures: 7 could not connect, 28 timed out
    const codes: Record<string, number> = { VmTimeoutError: 124, NothingListeningError: 7, HttpTimeoutError: 28 };
    const known = err.name in codes || err.name === 'VmError' || err.name === 'HttpProtocolError';
    process.stderr.write(`vm: ${known ? err.message : (err.stack ?? err.message)}\n`);
    process.exit(codes[err.name] ?? 1);
  },
);
