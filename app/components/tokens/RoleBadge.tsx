import type { Role } from "./documents";

const TONES: Record<Role, string> = {
  VIEWER: "bg-slate-100 text-slate-700 ring-slate-300 dark:bg-slate-800 dark:text-slate-200 dark:ring-slate-600",
  OPERATOR: "bg-sky-50 text-sky-700 ring-sky-300 dark:bg-sky-950 dark:text-sky-300 dark:ring-sky-800",
  ADMIN: "bg-violet-50 text-violet-700 ring-violet-300 dark:bg-violet-950 dark:text-violet-300 dark:ring-violet-800",
};

/** A token's role as a chip: viewer (grey), operator (sky), admin (violet). */
export function RoleBadge({ role }: { role: Role }) {
  return (
    <span
      data-role={role}
      className={`inline-flex items-center whitespace-nowrap rounded-full px-2 py-0.5 text-[11px] font-semibold uppercase tracking-wide ring-1 ring-inset ${TONES[role]}`}
    >
      {role.toLowerCase()}
    </span>
  );
}
