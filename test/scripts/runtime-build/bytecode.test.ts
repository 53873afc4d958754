import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundle, bundleSplit, bytecodeFromC, canStripDebug } from '../../../scripts/runtime-build/bytecode.ts';

const dir = mkdtempSync(join(tmpdir(), 'wb-bc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bytecodeFromC', () => {
  it('extracts the bytes qjsc wrote as a C array', () => {
    const c = join(dir, 'ok.c');
    writeFileSync(c, '#include <inttypes.h>\n\nconst uint32_t wb_bytecode_size = 3;\n\nconst uint8_t wb_bytecode[3] = {\n 0x02, 0xff, 0x10,\n};\n');
    expect(bytecodeFromC(c, join(dir, 'ok.qbc'))).toBe(3);
    expect([...readFileSync(join(dir, 'ok.qbc'))]).toEqual([2, 255, 16]);
  });

  it('refuses an array whose length does not match the declared size', () => {
    const c = join(dir, 'bad.c');
    writeFileSync(c, 'const uint32_t wb_bytecode_size = 4;\nconst uint8_t wb_bytecode[4] = {\n 0x02, 0xff,\n};\n');
    expect(() => bytecodeFromC(c, join(dir, 'bad.qbc'))).toThrow(/size mismatch/);
  });
});

describe('bundle', () => {
  it('keeps the engine modules external and bundles the rest as one ES module', async () => {
    const entry = join(dir, 'entry.ts');
    writeFileSync(join(dir, 'dep.ts'), 'export const answer: number = 42;\n');
    writeFileSync(entry, "import * as std from 'std';\nimport { fork } from 'wbnative';\nimport { answer } from './dep.ts';\nstd.exit(answer + fork(0));\n");
    await bundle(entry, join(dir, 'out.js'));
    const out = readFileSync(join(dir, 'out.js'), 'utf8');
    expect(out).toMatch(/from "std"/);
    expect(out).toMatch(/from "wbnative"/);
    expect(out).not.toMatch(/from "\.\/dep/);
    expect(out).toContain('42');
  });
});

describe('bundleSplit', () => {
  it('puts each dynamically imported module in its own flat file, main.js first', async () => {
    const src = join(dir, 'split');
    mkdirSync(src);
    writeFileSync(join(src, 'shared.ts'), 'export const shared = (s: string) => s.toUpperCase();\n');
    writeFileSync(join(src, 'big.ts'), "import { shared } from './shared.ts';\nexport const big = () => shared('only-in-big');\n");
    writeFileSync(join(src, 'small.ts'), "import { shared } from './shared.ts';\nexport const small = () => shared('only-in-small');\n");
    const entry = join(src, 'entry.ts');
    writeFileSync(entry, "import * as std from 'std';\nconst role = std.getenv('R');\nconst load = async () => (role === 'big' ? (await import('./big.ts')).big : (await import('./small.ts')).small);\nvoid load().then((f) => std.puts(f()));\n");
    const sb = await bundleSplit(entry, join(dir, 'split-out'));
    expect(sb.files[0]).toBe('main.js');
    expect(sb.files.every((f) => /^[\w.-]+\.js$/.test(f))).toBe(true);
    const text = (f: string) => readFileSync(join(sb.dir, f), 'utf8');
    expect(text('main.js')).not.toContain('only-in-');
    const holders = (needle: string) => sb.files.filter((f) => text(f).includes(needle));
    expect(holders('only-in-big')).toHaveLength(1);
    expect(holders('only-in-small')).toHaveLength(1);
    expect(holders('only-in-big')).not.toEqual(holders('only-in-small'));
    expect(holders('toUpperCase')).toHaveLength(1); // shared code once, in its own chunk
  });
});

describe('canStripDebug', () => {
  it('keeps debug info only in modules that call import() (QuickJS resolves it by the caller file name)', () => {
    expect(canStripDebug("import { a } from './a.js';\nexport const b = () => a + 1;\n")).toBe(true);
    expect(canStripDebug("const load = () => import('./chunk-X.js');\n")).toBe(false);
    expect(canStripDebug('const load = () => import ("./chunk-X.js");\n')).toBe(false);
    expect(canStripDebug('export const reimport = (x) => x;\n')).toBe(true);
  });
});
