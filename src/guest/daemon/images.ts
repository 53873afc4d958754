// The image service of the daemon: finds images by reference or ID with Docker's messages,
// pulls from the offline registry, and removes them (untag first, refuse while containers use
// them unless forced), with their events. The files themselves are images/store.ts's business.

import type { ImageStore, ImageRecord, PullEvent, PullMode } from '../images/store.ts';
import { parseRef } from '../images/reference.ts';
import type { OfflineRegistry } from '../images/registry.ts';
import type { LayerViews } from '../images/views.ts';
import type { ContainerRecord } from './model.ts';
import { Conflict, InvalidParameter, NotFound } from './errdefs.ts';
import type { Events } from './events.ts';

export class ImageService {
  constructor(
    readonly store: ImageStore,
    private views: LayerViews,
    private registry: OfflineRegistry,
    private pullMode: PullMode,
    /** The containers to check for users of an image. */
    private containers: () => ContainerRecord[],
    private events: Events,
  ) {}

  find(name: string): ImageRecord {
    let ref = null;
    try {
      ref = parseRef(name);
    } catch {
      // an ID
    }
    try {
      return this.store.find(name, ref);
    } catch {
      throw new NotFound(`No such image: ${ref ? (ref.digest && !ref.tag ? `${ref.repo}@${ref.digest}` : `${ref.repo}:${ref.tag}`) : name}`);
    }
  }

  pull(fromImage: string, tag: string, emit: (e: PullEvent) => void): ImageRecord {
    const img = this.fetch(fromImage, tag, emit);
    this.events.emit('image', 'pull', `${fromImage}:${tag || 'latest'}`, { name: fromImage });
    return img;
  }

  private fetch(fromImage: string, tag: string, emit: (e: PullEvent) => void): ImageRecord {
    let ref;
    try {
      ref = parseRef(tag ? (tag.startsWith('sha256:') ? `${fromImage}@${tag}` : `${fromImage}:${tag}`) : fromImage);
    } catch (e) {
      throw new InvalidParameter((e as Error).message);
    }
    try {
      return this.store.pull(this.registry, ref, this.pullMode, emit).image;
    } catch (e) {
      if ((e as Error).name === 'NotInRegistryError') throw new NotFound((e as Error).message);
      throw e;
    }
  }

  usersOf(id: string): ContainerRecord[] {
    return this.containers().filter((c) => c.Image === id);
  }

  remove(name: string, force: boolean): { Untagged?: string; Deleted?: string }[] {
    const done = this.delete(name, force);
    for (const d of done) {
      if (d.Untagged) this.events.emit('image', 'untag', d.Untagged, { name: d.Untagged });
      if (d.Deleted) this.events.emit('image', 'delete', d.Deleted, { name: d.Deleted });
    }
    return done;
  }

  private delete(name: string, force: boolean): { Untagged?: string; Deleted?: string }[] {
    const img = this.find(name);
    const users = this.usersOf(img.id);
    const out: { Untagged?: string; Deleted?: string }[] = [];
    let ref = null;
    try {
      ref = parseRef(name);
    } catch {
      // by id
    }
    const byTag = ref && img.repoTags.includes(`${ref.repo}:${ref.tag}`);
    if (byTag && img.repoTags.length > 1) {
      this.store.untag(`${ref!.repo}:${ref!.tag}`);
      return [{ Untagged: `${ref!.repo}:${ref!.tag}` }];
    }
    if (users.length > 0 && !force) {
      const running = users.find((c) => c.State.Running);
      throw new Conflict(`conflict: unable to ${byTag ? `remove repository reference "${name}" (must force)` : `delete ${img.id.slice(7, 19)} (must be forced)`} - container ${(running ?? users[0]!).Id.slice(0, 12)} is using its referenced image ${img.id.slice(7, 19)}`);
    }
    for (const t of img.repoTags) out.push({ Untagged: t });
    for (const d of img.repoDigests) out.push({ Untagged: d });
    for (const d of this.store.deleteImage(img.id)) out.push({ Deleted: d });
    const top = img.chain[img.chain.length - 1];
    if (top) this.views.release(top);
    return out;
  }
}
