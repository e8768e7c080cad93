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
 * `source` with each value mapped (the mapping may return a promise) and a failure of the
 * source turned into one last value. A plain iterator rather than an async generator or
 * graphql-js' `mapAsyncIterator`: it sits on every subscriber's path for every event, so it
 * adds one promise step per value and nothing per idle subscription but itself.
 */
export class MappedIterator<T, U> implements AsyncIterableIterator<U> {
  private failed = false;

  constructor(
    private readonly source: AsyncIterator<T>,
    private readonly map: (value: T) => U | Promise<U>,
    private readonly onError: (err: unknown) => U,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<U>> {
    if (this.failed) return Promise.resolve({ done: true, value: undefined });
    return this.source.next().then(this.step, this.fail);
  }

  return(value?: unknown): Promise<IteratorResult<U>> {
    const r = this.source.return?.(value);
    return r ? r.then(() => ({ done: true, value: undefined })) : Promise.resolve({ done: true, value: undefined });
  }

  throw(err: unknown): Promise<IteratorResult<U>> {
    const r = this.source.throw?.(err);
    return r ? r.then(() => ({ done: true, value: undefined })) : Promise.reject(err);
  }

  private readonly step = (r: IteratorResult<T>): IteratorResult<U> | Promise<IteratorResult<U>> => {
    if (r.done) return { done: true, value: undefined };
    const v = this.map(r.value);
    return v instanceof Promise ? v.then(toValue) : { done: false, value: v };
  };

  private readonly fail = (err: unknown): IteratorResult<U> => {
    this.failed = true;
    return { done: false, value: this.onError(err) };
  };
}

const toValue = <U>(value: U): IteratorResult<U> => ({ done: false, value });

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
