import { describe, expect, it } from 'vitest';
import { parseMountFlag } from '../../../src/guest/cli/commands/container.ts';

describe('--mount values', () => {
  it('reads tmpfs-size with units and tmpfs-mode in octal, as the Docker CLI does', () => {
    expect(parseMountFlag('type=tmpfs,destination=/cache,tmpfs-size=1m,tmpfs-mode=1770')).toEqual({
      Type: 'tmpfs', Source: undefined, Target: '/cache', ReadOnly: false, TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1770 },
    });
    expect(parseMountFlag('type=tmpfs,dst=/t,tmpfs-size=65536').TmpfsOptions).toEqual({ SizeBytes: 65536 });
    expect(parseMountFlag('type=tmpfs,target=/t').TmpfsOptions).toBeUndefined();
    expect(parseMountFlag('type=bind,src=/a,dst=/b,readonly')).toMatchObject({ Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true });
  });

  it('refuses bad tmpfs options in Docker\'s words', () => {
    expect(() => parseMountFlag('type=tmpfs,dst=/t,tmpfs-size=lots')).toThrow('invalid value for tmpfs-size: lots');
    expect(() => parseMountFlag('type=tmpfs,dst=/t,tmpfs-mode=999')).toThrow('invalid value for tmpfs-mode: 999');
    expect(() => parseMountFlag('type=bind,src=/a,dst=/b,tmpfs-size=1m')).toThrow("cannot mix 'tmpfs-*' options with mount type 'bind'");
  });
});
