"use client";

import { type OnMoveStart, useReactFlow, useStore } from "@xyflow/react";
import { useCallback, useEffect, useRef } from "react";

/** Room for the zoom controls on the left. */
const FIT_PADDING = { top: "24px", right: "24px", bottom: "24px", left: "64px" } as const;
export const FIT_OPTIONS = { padding: FIT_PADDING, maxZoom: 1.1 } as const;

/**
 * Keeps the whole graph in view as its layout or the panel's size changes (a phone
 * rotating, a window resized), until the reader pans or zooms: from then on the view is
 * theirs (the fit-view control brings the whole graph back).
 */
export function useAutoFit(layoutKey: string | null) {
  const flow = useReactFlow();
  const size = useStore((s) => `${Math.round(s.width)}x${Math.round(s.height)}`);
  const userMoved = useRef(false);

  useEffect(() => {
    if (!layoutKey || userMoved.current || size === "0x0") return;
    const id = requestAnimationFrame(() => void flow.fitView({ ...FIT_OPTIONS, duration: 200 }));
    return () => cancelAnimationFrame(id);
  }, [layoutKey, size, flow]);

  // Only moves with a DOM event are the reader's; fitView's own transitions have none.
  const onMoveStart: OnMoveStart = useCallback((event) => {
    if (event) userMoved.current = true;
  }, []);
  /** A deliberate change of the graph (a group toggled): fit it again. */
  const refit = useCallback(() => {
    userMoved.current = false;
  }, []);
  return { onMoveStart, refit };
}
