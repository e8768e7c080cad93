"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { type ReactNode, useCallback, useLayoutEffect, useRef } from "react";

interface Props {
  count: number;
  rowHeight: number;
  /** Keep the newest row in view as rows arrive. */
  follow: boolean;
  /** Scrolling up stops following; scrolling back to the bottom resumes it. */
  onFollowChange: (follow: boolean) => void;
  renderRow: (index: number) => ReactNode;
  /** Changes whenever the underlying rows change (the list itself holds no rows). */
  version: number;
  label: string;
  testId?: string;
  empty?: ReactNode;
}

const AT_BOTTOM_PX = 24;

/**
 * A fixed-row-height virtualized list (@tanstack/react-virtual): only the rows in view
 * are mounted, so 100k rows cost the same as 30. Newest at the bottom, with follow.
 */
export function VirtualList({
  count,
  rowHeight,
  follow,
  onFollowChange,
  renderRow,
  version,
  label,
  testId,
  empty,
}: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  /** The offset follow mode last scrolled to (null when not following). */
  const pinned = useRef<number | null>(null);
  if (!follow) pinned.current = null;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 10,
    // Scroll-driven updates may wait for the next frame: a synchronous re-render inside
    // every scroll event is what makes a busy list janky.
    useFlushSync: false,
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: re-run when rows change (`version`), not only the count (a full ring buffer keeps its count).
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!follow || !el) return;
    // Rows have a fixed height, so the bottom is known without measuring the content.
    const viewport = virtualizer.scrollRect?.height ?? el.clientHeight;
    const bottom = Math.max(0, count * rowHeight - viewport);
    // Writing scrollTop forces a layout: skip it when we are already there.
    if (pinned.current !== bottom) el.scrollTop = bottom;
    pinned.current = bottom;
  }, [follow, count, version]);

  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    // Growing content fires no scroll event and following keeps us at the bottom, so a
    // scroll that leaves the bottom is the reader's.
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= AT_BOTTOM_PX;
    if (atBottom !== follow) onFollowChange(atBottom);
  }, [follow, onFollowChange]);

  // `contain: strict` + its own layer: rows changing 10×/s relayout and repaint this box
  // only, never the rest of the page.
  return (
    <div
      ref={scrollRef}
      onScroll={onScroll}
      role="log"
      aria-label={label}
      data-testid={testId}
      data-count={count}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus so keyboards can scroll it.
      tabIndex={0}
      className="relative h-full overflow-auto overscroll-contain font-mono contain-strict will-change-transform text-[12px] leading-none focus-visible:outline-2 focus-visible:outline-sky-500"
    >
      {count === 0 && empty ? (
        <div className="p-4 font-sans text-sm text-slate-500 dark:text-slate-400">{empty}</div>
      ) : null}
      <div style={{ height: virtualizer.getTotalSize(), position: "relative", minWidth: "100%", width: "max-content" }}>
        {virtualizer.getVirtualItems().map((item) => (
          <div
            key={item.key}
            data-index={item.index}
            className="absolute left-0 min-w-full"
            style={{ height: rowHeight, transform: `translateY(${item.start}px)` }}
          >
            {renderRow(item.index)}
          </div>
        ))}
      </div>
    </div>
  );
}
