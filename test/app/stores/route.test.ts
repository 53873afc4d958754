import { describe, expect, it } from 'vitest';
import { lessonHash, parseRoute, routeHash, type Route } from '../../../src/app/stores/route.ts';

describe('parseRoute', () => {
  it('no hash, or #/, is the last lesson; #/course the course page', () => {
    expect(parseRoute('')).toEqual({ page: 'last' });
    expect(parseRoute('#')).toEqual({ page: 'last' });
    expect(parseRoute('#/')).toEqual({ page: 'last' });
    expect(parseRoute('#/course')).toEqual({ page: 'course' });
    expect(parseRoute('#/course/')).toEqual({ page: 'course' });
  });

  it('a lesson, optionally with a step', () => {
    expect(parseRoute('#/lessons/07-dockerfile')).toEqual({ page: 'lesson', slug: '07-dockerfile', step: null });
    expect(parseRoute('#/lessons/07-dockerfile/02-build')).toEqual({ page: 'lesson', slug: '07-dockerfile', step: '02-build' });
    expect(parseRoute('#lessons/07-dockerfile/')).toEqual({ page: 'lesson', slug: '07-dockerfile', step: null });
  });

  it('anything else is unknown, kept as written for the message', () => {
    for (const h of ['#/lessons', '#/lessons/07-dockerfile/02-build/x', '#/lessons/../x', '#/lessons/%E0%A4%A', '#/Course', '#/lessons/07 dockerfile'])
      expect(parseRoute(h)).toEqual({ page: 'unknown', hash: h.startsWith('#') ? h : '#' + h });
  });
});

describe('routeHash', () => {
  it('round-trips every route', () => {
    const routes: Route[] = [{ page: 'last' }, { page: 'course' }, { page: 'lesson', slug: '02-namespaces', step: null }, { page: 'lesson', slug: '07-dockerfile', step: '04-multi-stage' }];
    for (const r of routes) expect(parseRoute(routeHash(r))).toEqual(r);
    expect(lessonHash('07-dockerfile')).toBe('#/lessons/07-dockerfile');
    expect(lessonHash('07-dockerfile', '01-from')).toBe('#/lessons/07-dockerfile/01-from');
  });
});
