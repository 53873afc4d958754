// Container names: Docker's rules for a name the user gives (valid characters, unique), the
// random adjective_surname for one they do not, and docker rename.

import type { Syscalls } from '../sys/syscalls.ts';
import { randomName, VALID_NAME } from '../util/names.ts';
import type { ContainerStore } from './containers.ts';
import { Conflict, InvalidParameter } from './errdefs.ts';
import type { Events } from './events.ts';
import type { ContainerRecord } from './model.ts';

function checkValid(name: string): void {
  if (!VALID_NAME.test(name)) throw new InvalidParameter(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
}

function checkFree(store: ContainerStore, clean: string): void {
  const other = store.byName(clean);
  if (other) throw new Conflict(`Conflict. The container name "${clean}" is already in use by container "${other.Id}". You have to remove (or rename) that container to be able to reuse that name.`);
}

/** The new container's name ("/name"): the one asked for, checked, or a free random one. */
export function containerName(sys: Syscalls, store: ContainerStore, name: string | null): string {
  if (name !== null && name !== '') {
    checkValid(name);
    const clean = `/${name.replace(/^\//, '')}`;
    checkFree(store, clean);
    return clean;
  }
  const pick = (n: number): number => (sys.randomBytes(2).reduce((a, b) => a * 256 + b, 0)) % n;
  for (let retry = 0; ; retry++) {
    const cand = `/${randomName(pick, retry > 5 ? retry : 0)}`;
    if (!store.values().some((c) => c.Name === cand)) return cand;
  }
}

/** docker rename: the name changes everywhere it is read (ps, DNS on user networks, inspect). */
export function renameContainer(store: ContainerStore, events: Events, c: ContainerRecord, name: string): void {
  if (!name) throw new InvalidParameter('Neither old nor new names may be empty');
  checkValid(name);
  const clean = `/${name.replace(/^\//, '')}`;
  if (clean === c.Name) throw new InvalidParameter('Renaming a container with the same name as its current name');
  checkFree(store, clean);
  const old = c.Name;
  c.Name = clean;
  // the name a user network's DNS answers for is the container's own name
  for (const ep of Object.values(c.NetworkSettings.Networks)) {
    if (ep.DNSNames) ep.DNSNames = ep.DNSNames.map((n) => (n === old.slice(1) ? clean.slice(1) : n));
  }
  store.persist(c);
  events.emit('container', 'rename', c.Id, { name: clean.slice(1), oldName: old });
}
