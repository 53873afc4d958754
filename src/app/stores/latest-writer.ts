// Stores the newest value of something that changes on every key press (the editor's text)
// without a write per change: one write at a time, and when it ends one more with the newest
// value if it changed meanwhile. So what is stored is never more than one write behind, and a
// tab closed mid-typing loses at most the keys pressed during the last write. Pure: tested in
// test/app/stores/latest-writer.test.ts.

export class LatestWriter<T> {
  private pending: { value: T } | null = null;
  private running = 0;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly write: (value: T) => Promise<unknown>,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {}

  set(value: T): void {
    this.pending = { value };
    if (this.running === 0) this.start();
  }

  /**
   * The page is going away (pagehide, or hidden and maybe never shown again): the newest value
   * goes now, beside the write in flight, not after it. IndexedDB runs read-write transactions on
   * one store in the order they were made, so the newer one lands last.
   */
  flush(): void {
    if (this.pending) this.start();
  }

  /** Resolves once every value set so far is written (or its write failed). */
  settled(): Promise<void> {
    if (this.running === 0 && !this.pending) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private start(): void {
    const { value } = this.pending!;
    this.pending = null;
    this.running++;
    void this.write(value)
      .catch((e: unknown) => this.onError(e))
      .finally(() => {
        this.running--;
        if (this.running > 0) return;
        if (this.pending) this.start();
        else for (const w of this.waiters.splice(0)) w();
      });
  }
}
