import { btn } from "../ui/styles";

/** The app's button styles (app/components/ui/styles), named for the console's uses. */
export const BUTTON_PRIMARY = btn.primary;
export const BUTTON_SECONDARY = btn.secondary;
export const BUTTON_DANGER = btn.danger;
export const BUTTON_SUCCESS = btn.approve;

/** A compact inline input (the app's `input` is a full-width block). */
export const INPUT =
  "rounded-md border border-slate-300 bg-white px-2 text-sm text-slate-900 shadow-sm focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-500/30 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100";
