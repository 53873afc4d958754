// hello-world: our own static i386 program, no libc, compiled from vm-images/images/hello-world.
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../lib/exec.ts';
import { imagesDir } from './recipe.ts';

export const HELLO_SOURCE = join(imagesDir, 'hello-world', 'hello.c');

export async function buildHelloTree(tree: string): Promise<void> {
  mkdirSync(tree, { recursive: true });
  const out = join(tree, 'hello');
  await run('i686-linux-gnu-gcc', [
    '-static', '-nostdlib', '-Os', '-fno-pic', '-no-pie', '-fno-asynchronous-unwind-tables',
    '-ffreestanding', '-Wall', '-Werror',
    // No build id, no page-aligned segments: a small, reproducible file.
    '-Wl,--build-id=none', '-Wl,-z,noseparate-code', '-Wl,-n', '-s',
    '-o', out, HELLO_SOURCE,
  ]);
  chmodSync(out, 0o755);
}
