// .dockerignore as the Docker client reads it: one pattern a line, # comments, ! exceptions, the
// last matching line wins; Go filepath.Match syntax (*, ?, [...], \) plus ** for any number of
// directories; a pattern that matches a directory excludes everything under it. The Dockerfile
// and .dockerignore themselves are always sent (the daemon needs them), as the client does.

export interface Pattern {
  text: string;
  exclusion: boolean;
  re: RegExp;
  /** Path segments, for deciding whether an excluded directory can be skipped whole. */
  dirs: string[];
}

/** Cleans a path as Go's filepath.Clean would, relative (no leading /). */
export function cleanPath(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else out.push('..');
    } else out.push(part);
  }
  return out.join('/') || '.';
}

function compile(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        // "**/" matches zero or more directories; a trailing "**" anything at all
        if (pattern[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) throw new Error(`syntax error in pattern`);
      let cls = pattern.slice(i + 1, close);
      if (cls.startsWith('^') || cls.startsWith('!')) cls = `^${cls.slice(1)}`;
      re += `[${cls.replace(/\\(?!.)/g, '\\\\')}]`;
      i = close;
    } else if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else re += escapeRe(c);
  }
  return new RegExp(`${re}$`);
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Reads .dockerignore text into patterns. */
export function parseDockerignore(text: string): Pattern[] {
  const out: Pattern[] = [];
  for (const raw of text.split('\n')) {
    let line = raw.replace(/\r$/, '');
    if (line.startsWith('#')) continue;
    line = line.trim();
    if (line === '') continue;
    let exclusion = false;
    if (line.startsWith('!')) {
      exclusion = true;
      line = line.slice(1).trim();
      if (line === '') throw new Error('illegal exclusion pattern: "!"');
    }
    let p = cleanPath(line);
    if (p.startsWith('/')) p = p.slice(1);
    if (p === '.') continue;
    out.push({ text: p, exclusion, re: compile(p), dirs: p.split('/') });
  }
  return out;
}

export class IgnoreMatcher {
  readonly hasExclusions: boolean;
  constructor(readonly patterns: Pattern[]) {
    this.hasExclusions = patterns.some((p) => p.exclusion);
  }

  /**
   * True when path (relative to the context, "/"-separated) is left out: the last pattern that
   * matches it or one of its parent directories decides.
   */
  ignored(path: string): boolean {
    const rel = cleanPath(path);
    const parents: string[] = [];
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) parents.push(parts.slice(0, i).join('/'));
    let matched = false;
    for (const p of this.patterns) {
      // only a pattern that could change the answer needs testing
      if (p.exclusion !== matched) continue;
      let hit = p.re.test(rel);
      if (!hit) {
        for (const parent of parents) {
          if (p.re.test(parent)) {
            hit = true;
            break;
          }
        }
      }
      if (hit) matched = !p.exclusion;
    }
    return matched;
  }

  /**
   * Whether a directory that is itself ignored must still be walked because an exception
   * pattern could bring back something under it.
   */
  mustWalk(dir: string): boolean {
    if (!this.hasExclusions) return false;
    const rel = cleanPath(dir);
    for (const p of this.patterns) {
      if (!p.exclusion) continue;
      if (p.text.includes('**')) return true;
      // an exception whose leading segments could match this directory
      const depth = rel.split('/').length;
      if (p.dirs.length <= depth) continue;
      const prefix = compile(p.dirs.slice(0, depth).join('/'));
      if (prefix.test(rel)) return true;
    }
    return false;
  }
}

/** The matcher for a context, with the Dockerfile and .dockerignore always kept. */
export function contextMatcher(dockerignore: string | null, dockerfile: string): IgnoreMatcher {
  const patterns = dockerignore === null ? [] : parseDockerignore(dockerignore);
  if (patterns.length > 0) {
    for (const keep of ['.dockerignore', cleanPath(dockerfile)]) {
      if (keep.startsWith('..')) continue;
      patterns.push({ text: keep, exclusion: true, re: compile(keep.replace(/[*?[\\]/g, '\\$&')), dirs: keep.split('/') });
    }
  }
  return new IgnoreMatcher(patterns);
}
