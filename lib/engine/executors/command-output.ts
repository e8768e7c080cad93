/**
 * Bounded reading of a command's output: lines are split from raw bytes with a length cap
 * (a newline-free stream cannot grow a buffer without limit), and plain log lines pass a
 * token bucket so a chatty command cannot flood the event log. Dropped lines are counted
 * and reported, never silently lost.
 */

/** Splits a byte stream into lines of at most `maxBytes` (longer ones are cut with a marker). */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  /** Bytes of the current line past the cap (discarded). */
  private overflow = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (line: string) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      this.take(chunk.subarray(start, end));
      if (nl === -1) return;
      this.emit();
      start = nl + 1;
    }
  }

  /** The last line when the stream ends without a newline. */
  end(): void {
    if (this.size > 0 || this.overflow > 0) this.emit();
  }

  private take(bytes: Buffer) {
    const room = this.maxBytes - this.size;
    if (bytes.length <= room) {
      if (bytes.length) this.parts.push(bytes);
      this.size += bytes.length;
    } else {
      if (room > 0) this.parts.push(bytes.subarray(0, room));
      this.size += Math.max(0, room);
      this.overflow += bytes.length - Math.max(0, room);
    }
  }

  private emit() {
    let line = Buffer.concat(this.parts, this.size).toString("utf8");
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (this.overflow > 0) line += ` … [line truncated: ${this.overflow} more bytes]`;
    this.parts = [];
    this.size = 0;
    this.overflow = 0;
    this.onLine(line);
  }
}

/** A token bucket over lines: `perSecond` sustained, `burst` at once. */
export class LineRate {
  private tokens: number;
  private last = performance.now();
  /** Lines refused since the last `takeDropped()`. */
  dropped = 0;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  /** True when the line may be logged; otherwise it is counted as dropped. */
  admit(): boolean {
    if (this.perSecond <= 0) return true;
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.dropped++;
    return false;
  }

  takeDropped(): number {
    const n = this.dropped;
    this.dropped = 0;
    return n;
  }
}
