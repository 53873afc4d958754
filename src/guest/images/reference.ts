// Image references as Docker reads them: "nginx", "nginx:1.22", "library/nginx",
// "docker.io/library/nginx:latest", "busybox@sha256:<hex>".

export interface ImageRef {
  /** Short repository name as `docker images` shows it: "nginx", "user/app". */
  repo: string;
  tag: string | null;
  digest: string | null;
}

export class ReferenceError extends Error {
  override name = 'ReferenceError';
}

const NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

export function parseRef(text: string): ImageRef {
  let rest = text;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new ReferenceError(`invalid reference format: ${text}`);
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new ReferenceError(`invalid reference format: ${text}`);
  }
  // one registry prefix and one library/, not more: "library/library/x" is the repo "library/x"
  let stripped = false;
  for (const prefix of ['docker.io/library/', 'docker.io/', 'index.docker.io/library/', 'index.docker.io/']) {
    if (rest.startsWith(prefix)) {
      rest = rest.slice(prefix.length);
      stripped = prefix.endsWith('library/');
      break;
    }
  }
  if (!stripped && rest.startsWith('library/')) rest = rest.slice('library/'.length);
  if (rest !== rest.toLowerCase() && NAME.test(rest.toLowerCase())) {
    // Docker names the repository by its full path: "UPPER" is library/UPPER on Docker Hub
    const path = rest.split(/[:@]/)[0]!;
    throw new ReferenceError(`invalid reference format: repository name (${path.includes('/') ? path : `library/${path}`}) must be lowercase`);
  }
  if (!NAME.test(rest)) throw new ReferenceError(`invalid reference format: ${text}`);
  if (tag === null && digest === null) tag = 'latest';
  return { repo: rest, tag, digest };
}

/** "nginx:latest" */
export function familiar(r: ImageRef): string {
  // a repository whose first part is itself a Docker Hub alias keeps the registry in front, or
  // reading the name back would take that part for the registry and drop it
  const repo = /^(docker\.io|index\.docker\.io)\//.test(r.repo) ? `docker.io/${r.repo}` : r.repo.startsWith('library/') ? `library/${r.repo}` : r.repo;
  return r.digest && !r.tag ? `${repo}@${r.digest}` : `${repo}:${r.tag ?? 'latest'}`;
}

/** "docker.io/library/nginx:latest" as pull prints last. */
export function canonical(r: ImageRef): string {
  const path = r.repo.includes('/') ? r.repo : `library/${r.repo}`;
  return r.digest && !r.tag ? `docker.io/${path}@${r.digest}` : `docker.io/${path}:${r.tag ?? 'latest'}`;
}

/** "library/nginx" as in "Pulling from library/nginx". */
export function remotePath(r: ImageRef): string {
  return r.repo.includes('/') ? r.repo : `library/${r.repo}`;
}
