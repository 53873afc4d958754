import { describe, expect, it } from 'vitest';
import { helpText, parseFlags, UsageError, type CommandSpec } from '../../../src/guest/util/flags.ts';

const run: CommandSpec = {
  path: 'docker run',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create and run a new container from an image',
  interspersed: false,
  minArgs: 1,
  flags: [
    { name: 'detach', short: 'd', kind: 'bool', help: 'Run container in background and print container ID' },
    { name: 'interactive', short: 'i', kind: 'bool', help: 'Keep STDIN open even if not attached' },
    { name: 'tty', short: 't', kind: 'bool', help: 'Allocate a pseudo-TTY' },
    { name: 'env', short: 'e', kind: 'list', help: 'Set environment variables' },
    { name: 'name', kind: 'string', help: 'Assign a name to the container' },
    { name: 'stop-timeout', kind: 'int', help: 'Timeout (in seconds) to stop a container' },
    { name: 'rm', kind: 'bool', help: 'Automatically remove the container and its associated anonymous volumes when it exits' },
  ],
};

describe('parseFlags', () => {
  it('parses long, short, combined and = forms', () => {
    const p = parseFlags(run, ['-dit', '-e', 'A=1', '-eB=2', '--env=C=3', '--name', 'web', '--rm', '--stop-timeout=5', 'busybox', 'sh', '-c', 'echo -d']);
    expect(p.flags.bool('detach') && p.flags.bool('interactive') && p.flags.bool('tty')).toBe(true);
    expect(p.flags.list('env')).toEqual(['A=1', 'B=2', 'C=3']);
    expect(p.flags.string('name')).toBe('web');
    expect(p.flags.int('stop-timeout')).toBe(5);
    expect(p.flags.bool('rm')).toBe(true);
    // flags stop at the image: the rest belongs to the container
    expect(p.args).toEqual(['busybox', 'sh', '-c', 'echo -d']);
    expect(p.flags.changed('name')).toBe(true);
    expect(p.flags.changed('tty')).toBe(true);
  });
  it('reports errors with Docker wording and exit codes', () => {
    const err = (argv: string[]): UsageError => {
      try {
        parseFlags(run, argv);
      } catch (e) {
        if (e instanceof UsageError) return e;
      }
      throw new Error('expected a UsageError');
    };
    expect(err(['--foo']).render()).toBe("unknown flag: --foo\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information\n");
    expect(err(['--foo']).exitCode).toBe(125);
    expect(err(['-z']).message).toBe("unknown shorthand flag: 'z' in -z");
    expect(err(['--name']).message).toBe('flag needs an argument: --name');
    expect(err(['-e']).message).toBe("flag needs an argument: 'e' in -e");
    const few = err([]);
    expect(few.exitCode).toBe(1);
    expect(few.render()).toBe("docker: 'docker run' requires at least 1 argument\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nSee 'docker run --help' for more information\n");
    expect(err(['--stop-timeout', 'x']).message).toMatch(/invalid argument "x" for "--stop-timeout" flag/);
  });
  it('accepts --help without arguments and renders options', () => {
    expect(parseFlags(run, ['--help']).help).toBe(true);
    const h = helpText(run);
    expect(h).toContain('Usage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]');
    expect(h).toMatch(/ {2}-e, --env list +Set environment variables/);
  });
});
