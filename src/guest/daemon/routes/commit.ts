// POST /commit?container=&repo=&tag=&comment=&author= (the Engine API's commit; `changes` and
// `pause` are not supported: changes are refused with a clear error rather than ignored).

import { commitContainer } from '../commit.ts';
import { InvalidParameter } from '../errdefs.ts';
import { NEXT, type RouteHandler } from './context.ts';

export const commitRoutes: RouteHandler = ({ e, req, res, m, seg }) => {
  if (m !== 'POST' || seg.length !== 1) return NEXT;
  const container = req.query.get('container');
  if (!container) throw new InvalidParameter('container is required');
  if ((req.query.get('changes') ?? '').trim() !== '') throw new InvalidParameter('commit --change is not supported by this engine yet: put the instruction in a Dockerfile and docker build instead');
  const repo = req.query.get('repo') ?? '';
  const tag = req.query.get('tag') ?? '';
  const id = commitContainer(e, container, {
    ...(repo ? { reference: tag ? `${repo}:${tag}` : repo } : {}),
    ...(req.query.get('comment') ? { comment: req.query.get('comment')! } : {}),
    ...(req.query.get('author') ? { author: req.query.get('author')! } : {}),
  });
  res.json(201, { Id: id });
};
