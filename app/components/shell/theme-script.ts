/** localStorage key of the chosen theme: "light" | "dark"; absent = follow the system. */
export const THEME_KEY = "signalbox-theme";

/**
 * Runs in <head> before first paint so the page never flashes the wrong theme. Also drops
 * a `#token=` fragment (the login link) from the address bar on any page but /login,
 * e.g. when the link is opened while already logged in. Static code (no user input).
 */
export const THEME_SCRIPT = `(function(){try{if(location.pathname!=="/login"&&/token=/.test(location.hash))history.replaceState(null,"",location.pathname+location.search)}catch(_){}try{var t=localStorage.getItem("${THEME_KEY}");var d=t==="dark"||(t!=="light"&&matchMedia("(prefers-color-scheme: dark)").matches);var e=document.documentElement;e.classList.toggle("dark",d);e.style.colorScheme=d?"dark":"light"}catch(_){}})()`;

export type ThemeChoice = "system" | "light" | "dark";

export function applyTheme(choice: ThemeChoice) {
  const dark = choice === "dark" || (choice === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", dark);
  document.documentElement.style.colorScheme = dark ? "dark" : "light";
}
