/** Button styles shared by the console's forms and controls. */
export const BUTTON =
  "inline-flex h-8 items-center justify-center gap-1.5 rounded-md border px-3 text-sm font-medium shadow-sm transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 disabled:cursor-not-allowed disabled:opacity-50";
export const BUTTON_SECONDARY = `${BUTTON} border-slate-300 bg-white text-slate-800 hover:bg-slate-50 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:hover:bg-slate-700`;
export const BUTTON_PRIMARY = `${BUTTON} border-sky-700 bg-sky-600 text-white hover:bg-sky-700`;
export const BUTTON_DANGER = `${BUTTON} border-rose-700 bg-rose-600 text-white hover:bg-rose-700`;
export const BUTTON_SUCCESS = `${BUTTON} border-emerald-700 bg-emerald-600 text-white hover:bg-emerald-700`;

export const INPUT =
  "rounded-md border border-slate-300 bg-white px-2 text-sm text-slate-900 focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100";
