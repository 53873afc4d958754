// The offline registry's answers to a pull of something it does not have (src/guest/images/registry.ts
// and substitutes.ts), on the fake.
import { describe, expect, it } from 'vitest';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { NotInRegistryError, OfflineRegistry } from '../../../src/guest/images/registry.ts';
import { parseRef } from '../../../src/guest/images/reference.ts';
import { missingRepositoryMessage, substituteFor } from '../../../src/guest/images/substitutes.ts';

const ROOT = '/mnt/host/registry';

function registry(repos: string[]): OfflineRegistry {
  const sys = new FakeSyscalls();
  sys.addDir(`${ROOT}/layers`);
  for (const r of repos) sys.addFile(`${ROOT}/${r}/index.json`, JSON.stringify({ schemaVersion: 2, manifests: [] }));
  return new OfflineRegistry(sys, ROOT);
}

function pullError(reg: OfflineRegistry, ref: string): string {
  try {
    reg.resolve(parseRef(ref));
  } catch (e) {
    expect(e).toBeInstanceOf(NotInRegistryError);
    return (e as Error).message;
  }
  throw new Error(`${ref} resolved`);
}

describe('pulling what the offline registry lacks', () => {
  const reg = registry(['busybox', 'debian', 'mariadb', 'wordpress']);

  it('mysql: Docker\'s words, what the registry has, and mariadb as the drop-in replacement', () => {
    const msg = pullError(reg, 'mysql:5.7');
    expect(msg).toMatch(/^pull access denied for mysql, repository does not exist in the offline registry \(\/mnt\/host\/registry\)/);
    expect(msg).toContain('The offline registry has: busybox, debian, mariadb, wordpress');
    expect(msg).toContain('MariaDB is a drop-in replacement for MySQL');
    expect(msg).toContain('use mariadb:10.11');
    // the same for the fully qualified name
    expect(pullError(reg, 'docker.io/library/mysql:8')).toContain('use mariadb:10.11');
  });

  it('other images: no substitute is invented', () => {
    const msg = pullError(reg, 'postgres:16');
    expect(msg).toContain('pull access denied for postgres');
    expect(msg).toContain('The offline registry has: busybox, debian, mariadb, wordpress');
    expect(msg).not.toMatch(/use \w+:/);
  });

  it('names no substitute the registry does not hold', () => {
    expect(missingRepositoryMessage('mysql', ['busybox'], ROOT)).not.toContain('mariadb');
    expect(missingRepositoryMessage('mysql', [], ROOT)).toContain('The offline registry is empty');
  });

  it('knows mysql under its library names only', () => {
    expect(substituteFor('mysql')?.repo).toBe('mariadb');
    expect(substituteFor('library/mysql')?.repo).toBe('mariadb');
    expect(substituteFor('bitnami/mysql')).toBeNull();
    expect(substituteFor('mariadb')).toBeNull();
  });
});
