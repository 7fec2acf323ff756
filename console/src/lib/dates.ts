/** Dates as the API writes them: times carry the practice's offset, so the wall-clock part of
 * the string is the practice's local time (no browser time-zone conversion anywhere). */

/** "2026-12-01" of an ISO date-time or date. */
export function wallDate(iso: string): string {
  return iso.slice(0, 10);
}

/** "09:30" of an ISO date-time. */
export function wallTime(iso: string): string {
  return iso.slice(11, 16);
}

function parse(date: string): Date {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1));
}

function format(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  const d = parse(date);
  d.setUTCDate(d.getUTCDate() + days);
  return format(d);
}

/** The Monday of the week holding `date`. */
export function weekStart(date: string): string {
  const d = parse(date);
  const back = (d.getUTCDay() + 6) % 7;
  return addDays(date, -back);
}

// Building an Intl.DateTimeFormat costs far more than formatting with one: each is built once.
const formats = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    formats.set(key, f);
  }
  return f;
}

export function todayIso(timeZone?: string): string {
  // en-CA formats as YYYY-MM-DD.
  return formatter("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}

export function dayLabel(date: string, long = false): string {
  return formatter("en-GB", {
    timeZone: "UTC",
    weekday: long ? "long" : "short",
    day: "numeric",
    month: long ? "long" : "short",
    ...(long ? { year: "numeric" } : {}),
  }).format(parse(date));
}

/** "2026-12-01T09:00" -> "2026-12-01T09:00:00" (the practice's local time; the API reads an
 * offset-less time in the practice zone). */
export function localDateTime(date: string, time: string): string {
  return `${date}T${time.length === 5 ? `${time}:00` : time}`;
}

export function minutesBetween(startIso: string, endIso: string): number {
  return Math.round((Date.parse(endIso) - Date.parse(startIso)) / 60000);
}

export function addMinutesToTime(time: string, minutes: number): string {
  const [h, m] = time.split(":").map(Number);
  const total = Math.max(0, Math.min(24 * 60 - 1, (h ?? 0) * 60 + (m ?? 0) + minutes));
  return `${String(Math.floor(total / 60)).padStart(2, "0")}:${String(total % 60).padStart(2, "0")}`;
}

/** The practice-zone date and time of any ISO instant (booking warnings carry UTC instants,
 * appointments the practice's own offset: both read the same through this). */
export function inZone(iso: string, timeZone: string | undefined): { date: string; time: string } {
  const instant = new Date(iso);
  if (!timeZone || Number.isNaN(instant.getTime())) return { date: wallDate(iso), time: wallTime(iso) };
  const parts = Object.fromEntries(
    formatter("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

/** Each date from `first` to `last`, both included ("2026-12-01", "2026-12-02", …). */
export function daysFrom(first: string, last: string): string[] {
  const days: string[] = [];
  for (let d = first; d <= last && days.length < 366; d = addDays(d, 1)) days.push(d);
  return days;
}
