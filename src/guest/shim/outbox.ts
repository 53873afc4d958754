// Non-blocking writes through the event loop: data queued while the descriptor is full goes out
// when it becomes writable, so one slow reader (a container not reading its stdin, a client not
// reading its output) never stops the shim.

import type { Fd, Syscalls } from '../sys/syscalls.ts';
import { isErrno } from '../sys/errors.ts';

export class Outbox {
  private queue: Uint8Array[] = [];
  private closeWhenDone = false;
  closed = false;
  constructor(
    private sys: Syscalls,
    readonly fd: Fd,
    /** Called once the descriptor failed (EPIPE, EIO...) or was closed by end(). */
    private onGone: () => void = () => {},
  ) {}

  write(data: Uint8Array): void {
    if (this.closed || data.length === 0) return;
    this.queue.push(data);
    if (this.queue.length === 1) this.flush();
  }

  private flush(): void {
    while (this.queue.length > 0 && !this.closed) {
      const head = this.queue[0]!;
      let n: number;
      try {
        n = this.sys.write(this.fd, head);
      } catch (e) {
        if (isErrno(e, 'EAGAIN')) {
          this.sys.watch(this.fd, 'write', () => this.flush());
          return;
        }
        this.queue = [];
        this.close();
        return;
      }
      if (n < head.length) this.queue[0] = head.subarray(n);
      else this.queue.shift();
    }
    this.sys.watch(this.fd, 'write', null);
    if (this.closeWhenDone) this.close();
  }

  /** Closes once everything queued is written. */
  end(): void {
    this.closeWhenDone = true;
    if (this.queue.length === 0) this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sys.watch(this.fd, 'write', null);
    try {
      this.sys.close(this.fd);
    } catch {
      // already closed
    }
    this.onGone();
  }
}
