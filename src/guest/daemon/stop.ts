// docker kill and docker stop (moby's daemon/kill.go, stop.go): signals by name or number, the
// stop signal then SIGKILL after the timeout, and a stop that keeps restart policies off.

import { SIGKILL, SIGNALS } from '../sys/constants.ts';
import { isErrno } from '../sys/errors.ts';
import { Conflict, InvalidParameter } from './errdefs.ts';
import type { ContainerRecord } from './model.ts';
import type { EngineParts } from './parts.ts';

/** docker kill: a signal (SIGKILL by default) to the container's first process. */
export function killContainer(p: EngineParts, c: ContainerRecord, ref: string, signal: string | null): void {
  if (!c.State.Running) throw new Conflict(`Cannot kill container: ${ref}: Container ${c.Id} is not running`);
  const sig = signal ? parseSignal(signal) : SIGKILL;
  try {
    p.sys.kill(c.State.Pid, sig);
  } catch (e) {
    if (!isErrno(e, 'ESRCH')) throw e;
  }
  p.events.container(c, 'kill', { signal: String(sig) });
}

/** Stop: the stop signal, then SIGKILL after the timeout. Resolves once exited. */
export function stopContainer(p: EngineParts, c: ContainerRecord, timeoutS: number | null, signal: string | null): Promise<'stopped' | 'already'> {
  c.HasBeenManuallyStopped = true;
  p.store.persist(c);
  if (!c.State.Running) return Promise.resolve('already');
  const sig = parseSignal(signal ?? c.Config.StopSignal ?? 'SIGTERM');
  const t = timeoutS ?? c.Config.StopTimeout ?? 10;
  return new Promise((resolve) => {
    let timer: unknown = null;
    p.exits.onExit(c.Id, () => {
      if (timer !== null) p.sys.clearTimer(timer);
      p.events.container(c, 'stop');
      resolve('stopped');
    });
    try {
      p.sys.kill(c.State.Pid, sig);
    } catch {
      // gone already
    }
    const killNow = (): void => {
      try {
        p.sys.kill(c.State.Pid, SIGKILL);
      } catch {
        // gone
      }
    };
    if (t < 0) return;
    if (t === 0) killNow();
    else timer = p.sys.setTimer(t * 1000, killNow);
  });
}

export function parseSignal(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  const up = s.toUpperCase();
  const n = SIGNALS[up.startsWith('SIG') ? up : `SIG${up}`];
  if (n === undefined) throw new InvalidParameter(`Invalid signal: ${s}`);
  return n;
}
