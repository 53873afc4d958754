import { spawn } from 'node:child_process';
import { BuildError } from './progress.ts';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Print the command's output as it runs (default: keep it quiet, show its tail on failure). */
  verbose?: boolean;
  input?: string | Buffer;
}

/** Runs a command; resolves with stdout. On failure throws a BuildError with the output's tail. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => {
      out.push(d);
      if (opts.verbose) process.stderr.write(d);
    });
    child.stderr?.on('data', (d: Buffer) => {
      err.push(d);
      if (opts.verbose) process.stderr.write(d);
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    child.on('error', (e) => reject(new BuildError(`cannot run ${cmd}: ${e.message}`)));
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString();
      if (code === 0) return resolve(stdout);
      const tail = (stdout + Buffer.concat(err).toString()).trimEnd().split('\n').slice(-25).join('\n');
      reject(new BuildError(`${cmd} ${args.join(' ')} exited with ${code}\n${tail}`));
    });
  });
}

/** True when a command is on PATH. */
export async function have(cmd: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${cmd}`]);
    return true;
  } catch {
    return false;
  }
}
