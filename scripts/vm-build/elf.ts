// Reads what an ELF file needs at run time: its DT_NEEDED sonames and program interpreter.
import { openSync, readSync, closeSync } from 'node:fs';
import { run } from '../lib/exec.ts';

export function isElf(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(4);
    return readSync(fd, buf, 0, 4, 0) === 4 && buf.toString('latin1') === '\x7fELF';
  } finally {
    closeSync(fd);
  }
}

export interface ElfNeeds {
  needed: string[];
  interpreter?: string;
}

export function parseReadelf(dynamic: string, headers: string): ElfNeeds {
  const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1] as string);
  const interpreter = /\[Requesting program interpreter: ([^\]]+)\]/.exec(headers)?.[1];
  return interpreter ? { needed, interpreter } : { needed };
}

export async function elfNeeds(path: string): Promise<ElfNeeds> {
  const [dynamic, headers] = await Promise.all([run('readelf', ['-dW', path]), run('readelf', ['-lW', path])]);
  return parseReadelf(dynamic, headers);
}
