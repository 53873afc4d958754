// Entry point of the guest binary: dispatch on the program name or first argument, then exit
// with the role's code. Output is written unbuffered through Syscalls; stdio is flushed anyway.
import * as std from 'std';
import { dispatch, EXIT_USAGE } from './roles.ts';
import { RealSyscalls, flushStdio } from './sys/real.ts';
import { printErr } from './sys/io.ts';
import { followTraceSwitch, traced, tracer } from './sys/trace.ts';
import { SIGPIPE } from './sys/constants.ts';

declare const scriptArgs: string[];

const roleName = (scriptArgs[0] ?? '').split('/').pop() ?? '';
const role = roleName.startsWith('whalebone') ? (scriptArgs[1] ?? roleName) : roleName;
// WB_TRACE=<file> or the trace switch (the app's engine chain view) log calls with timestamps
// (sys/trace.ts); otherwise sys is the real one, untouched
const sys = traced(new RealSyscalls(), role);
// the daemon outlives any switch: it looks again on SIGUSR2
if (role === 'dockerd') followTraceSwitch(sys, role);
tracer().mark(`start ${scriptArgs.join(' ').slice(0, 300)}`);
// A client that hangs up must cost an EPIPE error, not the daemon.
sys.ignoreSignal(SIGPIPE);

async function main(): Promise<number> {
  try {
    return await dispatch(scriptArgs, sys);
  } catch (e) {
    const name = (scriptArgs[0] ?? 'whalebone').split('/').pop();
    const msg = e instanceof Error ? e.message : String(e);
    try {
      printErr(sys, `${name}: ${msg}\n`);
    } catch {
      // stderr is gone: nothing left to tell
    }
    return EXIT_USAGE;
  }
}

main().then((code) => {
  tracer().mark(`exit ${code}`);
  tracer().flush();
  flushStdio();
  std.exit(code);
});
