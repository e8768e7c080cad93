/**
 * A fixed-capacity append-only buffer for high-rate streams (events, logs) that stay out
 * of React state and out of the normalized cache. Items get absolute indices 0, 1, 2…;
 * once `capacity` is exceeded the oldest are dropped, so retained items are
 * `[start, end)`. Appending is O(1); readers re-render on `version`.
 */
export class BoundedBuffer<T> {
  private items: (T | undefined)[];
  private total = 0;
  private listeners = new Set<() => void>();
  version = 0;
  /** Bumped when items were inserted before the oldest: absolute indices changed. */
  generation = 0;

  constructor(readonly capacity: number) {
    this.items = new Array(capacity);
  }

  push(item: T): void {
    this.items[this.total % this.capacity] = item;
    this.total += 1;
  }

  /** Marks a batch of pushes as one change and tells the readers. */
  commit(): void {
    this.version += 1;
    for (const l of this.listeners) l();
  }

  /**
   * Inserts older items before the oldest retained one (history loaded on demand). Only
   * while nothing was dropped yet, so the buffer stays one contiguous range. O(length).
   */
  prepend(older: readonly T[]): void {
    if (older.length === 0 || this.start > 0) return;
    const all = [...older];
    for (let abs = this.start; abs < this.total; abs++) all.push(this.items[abs % this.capacity] as T);
    this.items = new Array(this.capacity);
    this.total = 0;
    for (const item of all.slice(-this.capacity)) this.push(item);
    this.generation += 1;
    this.commit();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Absolute index of the oldest retained item. */
  get start(): number {
    return Math.max(0, this.total - this.capacity);
  }

  /** One past the absolute index of the newest item. */
  get end(): number {
    return this.total;
  }

  get length(): number {
    return this.total - this.start;
  }

  /** The item at absolute index `abs`, or undefined when dropped or not yet written. */
  at(abs: number): T | undefined {
    if (abs < this.start || abs >= this.total) return undefined;
    return this.items[abs % this.capacity];
  }

  /** The i-th retained item (0 = oldest retained). */
  get(i: number): T | undefined {
    return this.at(this.start + i);
  }
}

/**
 * The absolute indices of a buffer's items matching a predicate, maintained
 * incrementally: each `sync` scans only what was appended since the last one, so a
 * 100k-line log filters in O(new lines) per frame.
 */
export class FilteredIndex<T> {
  private indices: number[] = [];
  private head = 0;
  private scanned = 0;
  private generation = 0;

  constructor(
    private readonly buffer: BoundedBuffer<T>,
    private readonly matches: (item: T) => boolean,
  ) {}

  sync(): void {
    if (this.generation !== this.buffer.generation) {
      this.generation = this.buffer.generation;
      this.indices = [];
      this.head = 0;
      this.scanned = 0;
    }
    const { start, end } = this.buffer;
    for (let abs = Math.max(this.scanned, start); abs < end; abs++) {
      const item = this.buffer.at(abs);
      if (item !== undefined && this.matches(item)) this.indices.push(abs);
    }
    this.scanned = end;
    while (this.head < this.indices.length && this.indices[this.head] < start) this.head++;
    // Compact now and then so dropped indices do not accumulate forever.
    if (this.head > 4096 && this.head * 2 > this.indices.length) {
      this.indices = this.indices.slice(this.head);
      this.head = 0;
    }
  }

  get length(): number {
    return this.indices.length - this.head;
  }

  get(i: number): T | undefined {
    return this.buffer.at(this.indices[this.head + i]);
  }
}
