// The mirror's signing key: made once with the host's gnupg and kept in the build cache, so a
// rebuild signs with the same key and the debian image (which carries the public half in
// /etc/apt/trusted.gpg.d) need not change. Both the key and every signature are made at a fixed
// time: RSA signatures are deterministic, so rebuilt indexes are byte-identical, and a guest whose
// clock lags the build never sees a key or signature "from the future".
import { existsSync, mkdirSync, chmodSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../lib/cache.ts';
import { run } from '../lib/exec.ts';
import { ensureHostTools } from '../lib/apt.ts';
import { log } from '../lib/progress.ts';

/** 2023-06-10, bookworm's release day: before any guest clock, after nothing that matters. */
export const SIGNING_TIME = '20230610T000000';
export const SIGNING_DATE = new Date(Date.UTC(2023, 5, 10));
const UID = 'Whalebone offline mirror (made at build time) <mirror@whalebone.invalid>';
/** The keyring's name in the debian image: /etc/apt/trusted.gpg.d/<this>. */
export const KEYRING_NAME = 'whalebone-mirror.gpg';

function home(): string {
  const dir = cacheDir('mirror-key', 'gnupg');
  chmodSync(dir, 0o700);
  return dir;
}

async function gpg(args: string[]): Promise<string> {
  return run('gpg', ['--homedir', home(), '--batch', '--no-tty', '--faked-system-time', `${SIGNING_TIME}!`, ...args]);
}

/** gpg starts an agent for secret-key work; do not leave it running after a build. */
export async function stopAgent(): Promise<void> {
  await run('gpgconf', ['--homedir', home(), '--kill', 'gpg-agent']).catch(() => undefined);
}

/** The public keyring (binary, as apt's trusted.gpg.d wants), generating the key on first use. */
export async function mirrorPublicKey(scope: string): Promise<string> {
  const file = join(cacheDir('mirror-key'), KEYRING_NAME);
  if (existsSync(file)) return file;
  await ensureHostTools(scope, { gpg: 'gnupg', gpgconf: 'gnupg' });
  mkdirSync(home(), { recursive: true });
  log(scope, 'generating the offline mirror signing key (kept in the cache)');
  try {
    await gpg(['--passphrase', '', '--quick-generate-key', UID, 'rsa3072', 'sign', 'never']);
    const tmp = `${file}.tmp-${process.pid}`;
    await gpg(['--output', tmp, '--export', UID]);
    renameSync(tmp, file);
  } finally {
    await stopAgent();
  }
  return file;
}

/** Writes InRelease (clear-signed) and Release.gpg (detached) next to `release`. */
export async function signRelease(scope: string, release: string, dir: string): Promise<void> {
  await mirrorPublicKey(scope);
  try {
    await gpg(['--yes', '--local-user', UID, '--digest-algo', 'SHA256', '--clearsign', '--output', join(dir, 'InRelease'), release]);
    await gpg(['--yes', '--local-user', UID, '--digest-algo', 'SHA256', '--armor', '--detach-sign', '--output', join(dir, 'Release.gpg'), release]);
  } finally {
    await stopAgent();
  }
}

