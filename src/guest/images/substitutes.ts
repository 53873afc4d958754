// Images the offline registry cannot offer, and what it has instead. Only real substitutes are
// named here: the registry never tags an image with a name it is not (`mysql:5.7` is not an alias
// of mariadb), so a tutorial's `mysql` fails to pull with a message that says what to use.

export interface Substitute {
  /** The repository to use instead. */
  repo: string;
  tag: string;
  /** Why it works in its place. */
  why: string;
}

const SUBSTITUTES: Record<string, Substitute> = {
  mysql: {
    repo: 'mariadb',
    tag: '10.11',
    why: 'MariaDB is a drop-in replacement for MySQL: it speaks the same protocol and its image reads the same MYSQL_* variables',
  },
};

/** The substitute for a repository that is not in the registry (library/ and docker.io/ are the same name). */
export function substituteFor(repo: string): Substitute | null {
  const name = repo.replace(/^(docker\.io\/)?(library\/)?/, '');
  return SUBSTITUTES[name] ?? null;
}

/**
 * The message of a pull of a repository the offline registry lacks: Docker's words first (so it
 * reads like the error a tutorial shows), then where images come from here, what there is, and a
 * substitute when one exists.
 */
export function missingRepositoryMessage(repo: string, have: string[], where: string): string {
  let msg = `pull access denied for ${repo}, repository does not exist in the offline registry (${where}); there is no internet access here`;
  msg += have.length ? `. The offline registry has: ${have.join(', ')}` : '. The offline registry is empty';
  const sub = substituteFor(repo);
  if (sub && have.includes(sub.repo)) msg += `. ${sub.why}: use ${sub.repo}:${sub.tag} (for example image: ${sub.repo}:${sub.tag} in a compose file)`;
  return msg;
}
