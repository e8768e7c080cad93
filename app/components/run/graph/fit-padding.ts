/** Fit-view padding that keeps the minimap and the zoom controls off the graph. */

/** The minimap's box in the panel's bottom-right corner (RunGraph's MiniMap style, React Flow's 15px margin). */
export const MINIMAP = { width: 144, height: 96, margin: 15 } as const;
/** Panels narrower than this hide the minimap (Tailwind's `sm`). */
const MINIMAP_MIN_PANEL = 640;

type Box = { width: number; height: number };
type Sides = { top: number; right: number; bottom: number; left: number };

/** Room for the zoom controls on the left and the Graph/List toggle at the top; a little air elsewhere. */
const BASE: Sides = { top: 44, right: 24, bottom: 24, left: 64 };

const zoomFor = (p: Sides, bounds: Box, view: Box) =>
  Math.min((view.width - p.left - p.right) / bounds.width, (view.height - p.top - p.bottom) / bounds.height);

/**
 * Padding for fitView such that no node lands under the minimap: reserve the minimap's
 * width on the right or its height at the bottom, whichever leaves the graph larger
 * (a wide DAG gives up height, a tall one width). Without a minimap, just the base.
 */
export function fitPadding(bounds: Box, view: Box): Sides {
  if (view.width < MINIMAP_MIN_PANEL || bounds.width <= 0 || bounds.height <= 0) return BASE;
  const right = { ...BASE, right: MINIMAP.width + MINIMAP.margin + 12 };
  const bottom = { ...BASE, bottom: MINIMAP.height + MINIMAP.margin + 12 };
  return zoomFor(right, bounds, view) >= zoomFor(bottom, bounds, view) ? right : bottom;
}

/** In React Flow's form: `{ top: "24px", … }`. */
export const asPx = (p: Sides) => {
  const px = (n: number) => `${n}px` as const;
  return { top: px(p.top), right: px(p.right), bottom: px(p.bottom), left: px(p.left) };
};
