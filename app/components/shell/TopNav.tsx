import Link from "next/link";
import { Logo } from "./Logo";
import { NavLinks } from "./NavLinks";
import { ThemeToggle } from "./ThemeToggle";

export interface NavViewer {
  name: string;
  namespace: string;
  role: string;
}

/**
 * The top bar: brand, primary navigation (a scrollable second row on narrow screens),
 * the live connection, theme and session.
 */
export function TopNav({ viewer, gates }: { viewer: NavViewer; gates: { id: string; runId: string }[] }) {
  return (
    <header className="sticky top-0 z-30 border-b border-slate-200 bg-white/85 backdrop-blur dark:border-slate-800 dark:bg-slate-950/85">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-1 focus:text-sm dark:focus:bg-slate-900"
      >
        Skip to content
      </a>
      <nav aria-label="Main" className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-2 sm:px-6">
        <Link
          href="/"
          className="flex items-center gap-2 rounded-md font-semibold tracking-tight focus-visible:outline-2 focus-visible:outline-sky-500"
        >
          <Logo />
          <span>Signalbox</span>
        </Link>
        <div className="order-last -mx-4 w-[calc(100%+2rem)] overflow-x-auto px-4 pb-1 sm:-mx-6 sm:w-[calc(100%+3rem)] sm:px-6 md:order-none md:mx-0 md:w-auto md:overflow-visible md:px-0 md:pb-0">
          <NavLinks initialGates={gates} admin={viewer.role === "ADMIN"} />
        </div>
        <div className="ml-auto flex items-center gap-2">
          <ThemeToggle />
          <span
            className="hidden text-xs text-slate-500 lg:inline dark:text-slate-400"
            title={`namespace ${viewer.namespace}`}
          >
            {viewer.name} · {viewer.role.toLowerCase()}
          </span>
          <form action="/api/session/logout" method="post">
            <button
              type="submit"
              className="rounded-md px-2 py-1.5 text-sm text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white"
            >
              Log out
            </button>
          </form>
        </div>
      </nav>
    </header>
  );
}
