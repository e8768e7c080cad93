"use client";

import { type OnMoveStart, useReactFlow, useStore, useStoreApi } from "@xyflow/react";
import { useCallback, useEffect, useRef } from "react";
import { asPx, fitPadding, MINIMAP } from "./fit-padding";

/** The first fit, before the panel's size is known: room for the controls and the minimap. */
export const FIT_OPTIONS = {
  padding: asPx({ top: 44, right: MINIMAP.width + MINIMAP.margin + 12, bottom: 24, left: 64 }),
  maxZoom: 1.1,
} as const;

/**
 * Keeps the whole graph in view as its layout or the panel's size changes (a phone
 * rotating, a window resized), until the reader pans or zooms: from then on the view is
 * theirs (the fit-view control brings the whole graph back).
 */
export function useAutoFit(layoutKey: string | null) {
  const flow = useReactFlow();
  const store = useStoreApi();
  const size = useStore((s) => `${Math.round(s.width)}x${Math.round(s.height)}`);
  const userMoved = useRef(false);

  /** Fit the whole graph, clear of the minimap (also the fit-view control's action). */
  const fitGraph = useCallback(
    (duration = 200) => {
      const nodes = flow.getNodes();
      if (nodes.length === 0) return;
      const { width, height } = store.getState();
      const padding = asPx(fitPadding(flow.getNodesBounds(nodes), { width, height }));
      void flow.fitView({ padding, maxZoom: FIT_OPTIONS.maxZoom, duration });
    },
    [flow, store],
  );

  useEffect(() => {
    if (!layoutKey || userMoved.current || size === "0x0") return;
    const id = requestAnimationFrame(() => fitGraph());
    return () => cancelAnimationFrame(id);
  }, [layoutKey, size, fitGraph]);

  // Only moves with a DOM event are the reader's; fitView's own transitions have none.
  const onMoveStart: OnMoveStart = useCallback((event) => {
    if (event) userMoved.current = true;
  }, []);
  /** A deliberate change of the graph (a group toggled): fit it again. */
  const refit = useCallback(() => {
    userMoved.current = false;
  }, []);
  return { onMoveStart, refit, fitGraph };
}
