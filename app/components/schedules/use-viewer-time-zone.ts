"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => {};
const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
const serverZone = () => null;

/** The browser's IANA time zone; null while rendering on the server (which cannot know it). */
export function useViewerTimeZone(): string | null {
  return useSyncExternalStore(subscribe, browserZone, serverZone);
}
