import { Cron } from "croner";

/**
 * Cron reading, on croner (ARCHITECTURE.md "Schedules" says why this library): 5 fields,
 * or 6 with seconds first; read in an IANA time zone with DST handled as Vixie cron does.
 * A fixed-time job (`30 2 * * *`) whose wall time does not exist on a spring-forward day
 * runs when the clock has jumped (03:00 that day), and a wall time that happens twice in
 * the autumn runs once, at its first occurrence; interval jobs (`*\/15 * * * *`) skip the
 * missing times and run at both repeated ones.
 */

/** A parsed cron in its time zone: where fire times come from. */
export type CronSchedule = Cron;

/** The longest cron expression accepted (there is no legitimate use for more). */
const MAX_CRON_LENGTH = 200;

/** Parse `cron` in `timezone`, or throw croner's message (see `cronProblem`). */
export function parseCron(cron: string, timezone: string): CronSchedule {
  return new Cron(cron.trim(), { timezone, mode: "5-or-6-parts", paused: true });
}

/** The canonical name of an IANA time zone (`europe/berlin` → `Europe/Berlin`), or null if unknown. */
export function canonicalTimeZone(timezone: string): string | null {
  const tz = timezone.trim();
  if (!tz || tz.length > 100) return null;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/**
 * Why `cron` is not a usable schedule in `timezone` (which must be valid), or null. The
 * message is croner's, without its class-name prefix; an expression that can never match
 * (`0 0 31 2 *`) is refused too, since it would be a schedule that never fires.
 */
export function cronProblem(cron: string, timezone: string): string | null {
  const text = cron.trim();
  if (!text) return "give a cron expression, e.g. `0 3 * * *` (every day at 03:00)";
  if (text.length > MAX_CRON_LENGTH) return `at most ${MAX_CRON_LENGTH} characters`;
  const fields = text.split(/\s+/).length;
  if (!text.startsWith("@") && fields !== 5 && fields !== 6)
    return `${fields} field${fields === 1 ? "" : "s"}: give 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)`;
  let parsed: CronSchedule;
  try {
    parsed = parseCron(text, timezone);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return message.replace(/^Cron\w*:\s*/, "");
  }
  if (!parsed.nextRun()) return "this expression never matches a date, so it would never fire";
  return null;
}

/** The next `count` fire times strictly after `after`. */
export function nextFires(cron: CronSchedule, after: Date, count: number): Date[] {
  return cron.nextRuns(count, after);
}

/** The first fire time strictly after `after`, or null if there is none. */
export function nextFire(cron: CronSchedule, after: Date): Date | null {
  return cron.nextRun(after);
}

/**
 * The fire times in (`after`, `until`], oldest first, at most `limit` of them — the
 * *latest* ones when there are more (missed fires after downtime: the newest matter).
 * `truncated` says that older fires in the window were left out.
 */
export function firesBetween(
  cron: CronSchedule,
  after: Date,
  until: Date,
  limit: number,
): { fires: Date[]; truncated: boolean } {
  // previousRuns includes a fire in the same second as the reference: step past `until`'s
  // second so a fire exactly at `until` counts and one just after it does not.
  const latest = cron
    .previousRuns(limit + 1, new Date(Math.floor(until.getTime() / 1000) * 1000 + 999))
    .filter((d) => d.getTime() <= until.getTime());
  const inWindow = latest.filter((d) => d.getTime() > after.getTime());
  const truncated = inWindow.length > limit;
  return { fires: inWindow.slice(0, limit).reverse(), truncated };
}
