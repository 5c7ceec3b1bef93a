/**
 * Every sandbox duration (processing delay, injected latency, webhook delays) goes through here, so one time scale
 * speeds up or slows down the whole emulator, and reset/close can cancel whatever is pending.
 */
export class Scheduler {
  private readonly pending = new Set<NodeJS.Timeout>();

  constructor(readonly timeScale: number) {}

  scaled(ms: number): number {
    return Math.max(0, Math.round(ms * this.timeScale));
  }

  /** Runs `task` after `ms` sandbox milliseconds, unless cancelled first (by the returned function or `cancelAll`). */
  after(ms: number, task: () => void): () => void {
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      task();
    }, this.scaled(ms));
    // A pending settlement must not keep a process (or a jest worker) alive on its own.
    timer.unref();
    this.pending.add(timer);
    return () => {
      clearTimeout(timer);
      this.pending.delete(timer);
    };
  }

  /** Waits `ms` sandbox milliseconds (used for injected latency; not cancelled by reset). */
  sleep(ms: number): Promise<void> {
    const delay = this.scaled(ms);
    return delay === 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, delay));
  }

  cancelAll(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}
