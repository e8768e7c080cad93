/**
 * Wrap a generator that takes an AbortSignal so that `return()` (the client unsubscribed or
 * disconnected) aborts it first. Without the signal, `return()` would queue behind a `next()`
 * still waiting for the next live event and the run's feed would be held until it came.
 */
export function abortable<T>(make: (signal: AbortSignal) => AsyncGenerator<T>): AsyncGenerator<T> {
  const ac = new AbortController();
  const gen = make(ac.signal);
  const it: AsyncGenerator<T> = {
    next: () => gen.next(),
    return: (value) => {
      ac.abort();
      return gen.return(value);
    },
    throw: (err) => {
      ac.abort();
      return gen.throw(err);
    },
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}

/**
 * A push → pull queue that keeps only the latest value per key: a slow subscriber of a
 * busy namespace gets each changed run once with its newest state, and memory stays
 * bounded by the number of distinct keys.
 */
export class LatestByKeyQueue<T> {
  private pending = new Map<string, T>();
  private wake: (() => void) | null = null;
  private closed = false;

  push(key: string, value: T): void {
    if (this.closed) return;
    this.pending.delete(key); // re-insert: order by latest change
    this.pending.set(key, value);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async *drain(signal: AbortSignal): AsyncGenerator<T> {
    while (!this.closed && !signal.aborted) {
      const first = this.pending.entries().next();
      if (!first.done) {
        this.pending.delete(first.value[0]);
        yield first.value[1];
        continue;
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          signal.removeEventListener("abort", done);
          this.wake = null;
          resolve();
        };
        this.wake = done;
        signal.addEventListener("abort", done, { once: true });
      });
    }
  }
}
