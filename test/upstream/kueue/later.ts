/**
 * Scenarios whose outcome takes minutes of waiting on the real controllers (Kueue's pods-ready
 * timeout, MultiKueue's worker-lost timeout): started in one test, observed in the background while
 * the other tests run, checked in a test at the end of the file. The waits overlap instead of
 * adding up; a failure while waiting is kept and thrown where the outcome is checked.
 */
export class Later<T> {
  private readonly outcome: Promise<{ ok: true; value: T } | { ok: false; error: unknown }>;

  /** Starts `observe` now; its outcome is kept for result(). */
  constructor(
    /** What is being waited for, for messages. */
    readonly what: string,
    observe: () => Promise<T>,
  ) {
    // Caught at once so a failure before result() is called is no unhandled rejection.
    this.outcome = observe().then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
  }

  /** The observed value, or the error observing it threw. */
  async result(): Promise<T> {
    const o = await this.outcome;
    if (!o.ok) throw new Error(`${this.what}: ${o.error instanceof Error ? o.error.message : String(o.error)}`);
    return o.value;
  }
}
