// Load -> interpolate -> validate -> merge -> normalize, judged by what `docker compose config`
// prints for a table of inputs. The expected texts are written from Compose v2's output;
// where we are not sure Compose prints exactly this, the case says so.
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/guest/compose/load.ts';
import { cases, errors } from './config-cases.ts';
import { configYaml } from '../../../src/guest/compose/config.ts';
import { memHost } from './host.ts';

describe('compose config', () => {
  for (const c of cases) {
    it(c.name, () => {
      const host = memHost(c.files, c.env ?? {}, c.cwd ?? '/root/lab');
      const p = loadProject(host, c.opts ?? {});
      expect(configYaml(p)).toBe(c.config);
      expect(host.warnings).toEqual(c.warnings ?? []);
    });
  }
});

describe('compose config errors', () => {
  for (const c of errors) {
    it(c.name, () => {
      const host = memHost(c.files, c.env ?? {});
      expect(() => loadProject(host, c.opts ?? {})).toThrow(c.error);
    });
  }
});
