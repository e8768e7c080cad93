import type { Page } from "@playwright/test";

/**
 * Screenshots of the page (its connection indicator in view) at 1440×900 and 390×844, in
 * light and dark, into test-results/live-<name>-<w>x<h>-<scheme>.png (for a person to look at).
 */
export async function shootIndicator(page: Page, name: string) {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [width, height] of [
      [1440, 900],
      [390, 844],
    ]) {
      await page.setViewportSize({ width, height });
      await page.getByTestId("connection-indicator").first().scrollIntoViewIfNeeded();
      await page.waitForTimeout(250);
      await page.screenshot({ path: `test-results/live-${name}-${width}x${height}-${scheme}.png` });
    }
  }
  await page.emulateMedia({ colorScheme: null });
  await page.setViewportSize({ width: 1440, height: 900 });
}
