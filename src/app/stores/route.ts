// The app's URLs. Hash routes (#/course, #/lessons/07-dockerfile, #/lessons/07-dockerfile/02-build)
// because the build is a static folder served from any host and sub-path: the part after # never
// reaches the server, so a deep link loads the one index.html everywhere, and offline the service
// worker's cached page answers it. Pure: tested in test/app/stores/route.test.ts.

export type Route =
  /** No route in the URL: the workspace with the lesson the learner last used. */
  | { page: 'last' }
  | { page: 'course' }
  | { page: 'lesson'; slug: string; /** A step's id ("02-build"), when the link names one. */ step: string | null }
  /** A URL that names nothing the app knows; the course page shows it with what was asked for. */
  | { page: 'unknown'; hash: string };

const SEGMENT = /^[a-z0-9][a-z0-9-]*$/;

/** Reads location.hash (with or without the leading #). */
export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#/, '');
  if (h === '' || h === '/') return { page: 'last' };
  const parts = h.replace(/^\//, '').replace(/\/$/, '').split('/').map((p) => safeDecode(p));
  if (parts.length === 1 && parts[0] === 'course') return { page: 'course' };
  if (parts[0] === 'lessons' && (parts.length === 2 || parts.length === 3) && parts.slice(1).every((p) => p !== null && SEGMENT.test(p)))
    return { page: 'lesson', slug: parts[1]!, step: parts[2] ?? null };
  return { page: 'unknown', hash: '#' + h };
}

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** The hash for a route (with the leading #), as links and history entries use it. */
export function routeHash(route: Route): string {
  switch (route.page) {
    case 'last':
      return '#/';
    case 'course':
      return '#/course';
    case 'lesson':
      return `#/lessons/${encodeURIComponent(route.slug)}${route.step ? `/${encodeURIComponent(route.step)}` : ''}`;
    case 'unknown':
      return route.hash;
  }
}

export const lessonHash = (slug: string, step: string | null = null): string => routeHash({ page: 'lesson', slug, step });
export const COURSE_HASH = '#/course';
