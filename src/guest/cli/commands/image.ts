// docker pull/images/history/rmi/tag/image prune (moby's cli/command/image).

import { humanSize } from '../../util/humanize.ts';
import { utf8Decode } from '../../util/text.ts';
import { canonical, parseRef } from '../../images/reference.ts';
import { ApiResponseError, type Connection } from '../client.ts';
import { historyRow, type HistoryItem } from '../stats.ts';
import { formatTable } from '../../util/tabwriter.ts';
import { ago } from '../format.ts';
import { IMAGES_CONTEXT, imageRows, imagesTable, renderTemplate, type ImageSummary } from '../format.ts';
import { f, CliError, type Ctx, parseSummary, confirm, type CommandTable } from './context.ts';

export function pullImage(c: Ctx, ref: string, quiet: boolean): void {
  let r;
  try {
    r = parseRef(ref);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  if (!ref.includes(':') && !ref.includes('@') && !quiet) c.out('Using default tag: latest\n');
  const q = `fromImage=${encodeURIComponent(r.repo)}&tag=${encodeURIComponent(r.digest && !r.tag ? r.digest : (r.tag ?? 'latest'))}`;
  const { conn, res } = c.client.open('POST', `/images/create?${q}`, undefined, { Connection: 'close' });
  if (res.status >= 400) {
    let text = '';
    conn.readBody(res, (b) => (text += utf8Decode(b)));
    conn.close();
    throw new ApiResponseError(res.status, (JSON.parse(text) as { message: string }).message);
  }
  let pending = '';
  let failure: string | null = null;
  conn.readBody(res, (b) => {
    pending += utf8Decode(b);
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      const ev = JSON.parse(line) as { status?: string; id?: string; error?: string; progressDetail?: { current?: number } };
      if (ev.error) {
        failure = ev.error;
        continue;
      }
      // progress bars are for terminals only, as in Docker without a tty
      if (quiet || ev.progressDetail?.current !== undefined || ev.status === 'Downloading' || ev.status === 'Extracting') continue;
      c.out(ev.id ? `${ev.id}: ${ev.status}\n` : `${ev.status}\n`);
    }
  });
  conn.close();
  if (failure) throw new ApiResponseError(404, failure);
  c.out(`${canonical(r)}\n`);
}

export const imageCommands: CommandTable = {
  pull: {
    spec: { path: 'docker pull', usage: '[OPTIONS] NAME[:TAG|@DIGEST]', description: 'Download an image from a registry', minArgs: 1, maxArgs: 1, flags: [f('quiet', 'bool', 'Suppress verbose output', 'q'), f('all-tags', 'bool', 'Download all tagged images in the repository', 'a')] },
    run: (c, p) => {
      pullImage(c, p.args[0]!, p.flags.bool('quiet'));
      return 0;
    },
  },
  images: {
    spec: { path: 'docker images', usage: '[OPTIONS] [REPOSITORY[:TAG]]', description: 'List images', maxArgs: 1, flags: [f('all', 'bool', 'Show all images (default hides intermediate images)', 'a'), f('quiet', 'bool', 'Only show image IDs', 'q'), f('no-trunc', 'bool', "Don't truncate output"), f('format', 'string', 'Format output using a custom template'), f('digests', 'bool', 'Show digests'), f('filter', 'list', 'Filter output based on conditions provided', 'f')] },
    run: (c, p) => {
      let list = parseSummary<ImageSummary[]>(c, `/images/json?all=${p.flags.bool('all') ? 1 : 0}`);
      if (p.args[0]) {
        const [repo, tag] = p.args[0].split(':');
        list = list.filter((i) => i.RepoTags.some((t) => t.split(':')[0] === repo && (!tag || t.split(':')[1] === tag)));
      }
      const now = Date.now();
      const noTrunc = p.flags.bool('no-trunc');
      if (p.flags.bool('quiet')) c.out([...new Set(list.map((i) => (noTrunc ? i.Id : i.Id.slice(7, 19))))].map((x) => `${x}\n`).join(''));
      else if (p.flags.string('format')) c.out(renderTemplate(p.flags.string('format'), imageRows(list, now, noTrunc), (k) => ({ ID: 'IMAGE ID', CreatedSince: 'CREATED' })[k] ?? k.toUpperCase(), IMAGES_CONTEXT));
      else c.out(imagesTable(list, now, noTrunc));
      return 0;
    },
  },
  history: {
    spec: { path: 'docker history', usage: '[OPTIONS] IMAGE', description: 'Show the history of an image', minArgs: 1, maxArgs: 1, flags: [f('human', 'bool', 'Print sizes and dates in human readable format', 'H', { default: true }), f('no-trunc', 'bool', "Don't truncate output"), f('quiet', 'bool', 'Only show image IDs', 'q'), f('format', 'string', 'Format output using a custom template')] },
    run: (c, p) => {
      const items = c.client.call<HistoryItem[]>('GET', `/images/${encodeURIComponent(p.args[0]!)}/history`);
      const now = Date.now();
      const trunc = !p.flags.bool('no-trunc');
      const rows = items.map((h) => historyRow(h, ago(h.Created, now), trunc, p.flags.bool('human')));
      if (p.flags.bool('quiet')) c.out(rows.map((r) => `${r['ID']}\n`).join(''));
      else if (p.flags.string('format')) c.out(renderTemplate(p.flags.string('format'), rows, (k) => ({ ID: 'IMAGE', CreatedSince: 'CREATED', CreatedBy: 'CREATED BY' })[k] ?? k.toUpperCase()));
      else c.out(formatTable(['IMAGE\tCREATED\tCREATED BY\tSIZE\tCOMMENT', ...rows.map((r) => [r['ID'], r['CreatedSince'], r['CreatedBy'], r['Size'], r['Comment']].join('\t'))].join('\n') + '\n'));
      return 0;
    },
  },
  rmi: {
    spec: { path: 'docker rmi', usage: '[OPTIONS] IMAGE [IMAGE...]', description: 'Remove one or more images', minArgs: 1, flags: [f('force', 'bool', 'Force removal of the image', 'f'), f('no-prune', 'bool', 'Do not delete untagged parents')] },
    run: (c, p) => {
      let code = 0;
      for (const n of p.args) {
        try {
          const r = c.client.call<{ Untagged?: string; Deleted?: string }[]>('DELETE', `/images/${encodeURIComponent(n)}?force=${p.flags.bool('force') ? 1 : 0}`);
          for (const x of r) c.out(x.Untagged ? `Untagged: ${x.Untagged}\n` : `Deleted: ${x.Deleted}\n`);
        } catch (e) {
          if (!(e instanceof ApiResponseError)) throw e;
          c.err(`Error response from daemon: ${e.message}\n`);
          code = 1;
        }
      }
      return code;
    },
  },
  tag: {
    spec: { path: 'docker tag', usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]', description: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE', minArgs: 2, maxArgs: 2, flags: [] },
    run: (c, p) => {
      const target = parseRef(p.args[1]!);
      c.client.call('POST', `/images/${encodeURIComponent(p.args[0]!)}/tag?repo=${encodeURIComponent(target.repo)}&tag=${encodeURIComponent(target.tag ?? 'latest')}`);
      return 0;
    },
  },
  'image prune': {
    spec: { path: 'docker image prune', usage: '[OPTIONS]', description: 'Remove unused images', maxArgs: 0, flags: [f('all', 'bool', 'Remove all unused images, not just dangling ones', 'a'), f('force', 'bool', 'Do not prompt for confirmation', 'f')] },
    run: (c, p) => {
      const all = p.flags.bool('all');
      if (!p.flags.bool('force') && !confirm(c, all ? 'WARNING! This will remove all images without at least one container associated to them.\n' : 'WARNING! This will remove all dangling images.\n')) return 0;
      const is = c.client.call<{ ImagesDeleted: { Untagged?: string; Deleted?: string }[] | null; SpaceReclaimed: number }>('POST', `/images/prune?filters=${encodeURIComponent(JSON.stringify({ dangling: [all ? 'false' : 'true'] }))}`);
      if (is.ImagesDeleted?.length) c.out(`Deleted Images:\n${is.ImagesDeleted.map((x) => (x.Untagged ? `untagged: ${x.Untagged}` : `deleted: ${x.Deleted}`)).join('\n')}\n\n`);
      c.out(`Total reclaimed space: ${humanSize(is.SpaceReclaimed)}\n`);
      return 0;
    },
  },
};
