import { memo, useMemo } from "react";
import { Link, useSearchParams } from "react-router";
import { allPages, api, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { useNames } from "../../api/names";
import { personName, reference as loadReference, useReference } from "../../api/reference";
import type { Appointment } from "../../api/types";
import { useAuth } from "../../auth/AuthProvider";
import { EmptyState, Field, Loading, PageHeader, ProblemBanner } from "../../components";
import { addDays, dayLabel, daysFrom, todayIso, wallDate, wallTime, weekStart } from "../../lib/dates";
import { paths, SCHEDULERS } from "../../routes";
import { STATUS_LABEL } from "./labels";

type View = "day" | "week";
type By = "practitioner" | "room";

type Query = { by: By; id: string; from: string; to: string };

/** The appointments of [from, to] for one practitioner or room: one request per day, all at
 * once, so the wait is the slowest day's answer rather than one page after another (a long
 * range's pages can only be read in turn; a day rarely needs a second page). */
function fetchAppointments(q: Query): Promise<Appointment[]> {
  const filter = q.by === "practitioner" ? { practitioner_id: q.id } : { room_id: q.id };
  const days = daysFrom(q.from, q.to).map((day) =>
    allPages((cursor) => ok(api().GET("/v1/appointments", { params: { query: { ...filter, from: day, to: day, limit: 100, cursor } } })), { max: 50 }),
  );
  // Days in order, each by start time (the API's order): no sort needed.
  return Promise.all(days).then((perDay) => perDay.flat());
}

/** The screen's first request, started while React first renders it rather than in an effect:
 * React holds back the first commit of a lazily loaded screen (until about 300 ms after its
 * "Loading screen…" showed) and effects run only after that commit, so the request would wait
 * for nothing. The effect then takes this request over instead of starting its own. */
let early: { key: string; at: number; request: Promise<Appointment[]>; taken: boolean } | null = null;
const EARLY_FRESH_MS = 10_000;

function queryKey(q: Query): string {
  return [q.by, q.id, q.from, q.to].join("|");
}

function startEarly(q: Query): void {
  const key = queryKey(q);
  if (early?.key === key) return;
  const request = fetchAppointments(q);
  request.catch(() => undefined); // a failure is shown by the effect that takes the request over
  early = { key, at: Date.now(), request, taken: false };
}

function takeEarlyOrFetch(q: Query): Promise<Appointment[]> {
  const entry = early;
  if (!entry || entry.key !== queryKey(q) || entry.taken || Date.now() - entry.at > EARLY_FRESH_MS) return fetchAppointments(q);
  entry.taken = true;
  const clear = () => {
    if (early === entry) early = null; // the next visit to this screen reads afresh
  };
  entry.request.then(clear, clear);
  return entry.request;
}

/** One appointment (memo: a name arriving redraws only its cards). Each text is one string,
 * one DOM text node: a week can hold hundreds of cards. */
const AppointmentCard = memo(function AppointmentCard({ a, who }: { a: Appointment; who: string }) {
  const details = ` · ${a.billing_code}${a.status !== "booked" ? ` · ${STATUS_LABEL[a.status]}` : ""}${a.telehealth ? " · telehealth" : ""}`;
  return (
    <li>
      <Link to={paths.appointment(a.id)} className={`appt ${a.status}`}>
        <span className="appt-time">{`${wallTime(a.start)}–${wallTime(a.end)}`}</span>
        <span>{who}</span>
        <span className="muted small">{details}</span>
      </Link>
    </li>
  );
});

export default function CalendarPage() {
  const { me, role } = useAuth();
  const reference = useReference();
  const [params, setParams] = useSearchParams();
  const view: View = params.get("view") === "day" ? "day" : "week";
  const by: By = params.get("by") === "room" ? "room" : "practitioner";
  const date = params.get("date") ?? todayIso();
  const ref = reference.data;
  const defaultId =
    by === "practitioner"
      ? role === "practitioner"
        ? me.id
        : ref?.practitioners[0]?.id
      : ref?.rooms[0]?.id;
  const selected = params.get("id") ?? defaultId ?? "";
  const from = view === "week" ? weekStart(date) : date;
  const to = view === "week" ? addDays(from, 6) : date;

  function update(changes: Record<string, string | null>) {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) next.delete(k);
      else next.set(k, v);
    }
    setParams(next, { replace: true });
  }

  const query: Query = { by, id: selected, from, to };
  const appointments = useApi(async () => (query.id ? takeEarlyOrFetch(query) : ([] as Appointment[])), [selected, by, from, to]);
  if (appointments.data === undefined && !appointments.problem) {
    // The first load: the appointments first, then the reference lists (for the pickers).
    if (selected) startEarly(query);
    void loadReference().catch(() => undefined);
  }

  const list = useMemo(() => appointments.data ?? [], [appointments.data]);
  const clientNames = useNames("client", list.flatMap((a) => (a.client_id ? [a.client_id] : [])));
  const groupNames = useNames("group", list.flatMap((a) => (a.group_id ? [a.group_id] : [])));
  const days = daysFrom(from, to);
  const byDay = useMemo(() => {
    const map = new Map<string, Appointment[]>();
    for (const a of list) {
      const d = wallDate(a.start);
      const bucket = map.get(d);
      if (bucket) bucket.push(a);
      else map.set(d, [a]);
    }
    for (const bucket of map.values()) bucket.sort((x, y) => x.start.localeCompare(y.start));
    return map;
  }, [list]);

  const options = by === "practitioner" ? (ref?.practitioners ?? []).map((p) => ({ id: p.id, label: personName(p) })) : (ref?.rooms ?? []).map((r) => ({ id: r.id, label: r.name }));
  const selectedLabel = options.find((o) => o.id === selected)?.label ?? "";
  const today = todayIso();
  const step = view === "week" ? 7 : 1;
  const bookQuery = new URLSearchParams({ date: view === "day" ? date : today, ...(by === "practitioner" && selected ? { practitioner_id: selected } : {}), ...(by === "room" && selected ? { room_id: selected } : {}) });

  return (
    <>
      <PageHeader
        title="Calendar"
        actions={
          SCHEDULERS.includes(role) ? (
            <Link className="button" to={`${paths.book}?${bookQuery.toString()}`}>
              Book appointment
            </Link>
          ) : null
        }
      >
        <p className="muted">
          {view === "week" ? `Week of ${dayLabel(from, true)}` : dayLabel(from, true)}
          {selectedLabel ? ` · ${selectedLabel}` : ""}
        </p>
      </PageHeader>
      <ProblemBanner problem={reference.problem} onRetry={reference.reload} />
      <div className="cal-toolbar">
        <div className="segmented" role="group" aria-label="View">
          <button type="button" aria-pressed={view === "day"} onClick={() => update({ view: "day" })}>
            Day
          </button>
          <button type="button" aria-pressed={view === "week"} onClick={() => update({ view: "week" })}>
            Week
          </button>
        </div>
        <div className="segmented" role="group" aria-label="Show by">
          <button type="button" aria-pressed={by === "practitioner"} onClick={() => update({ by: "practitioner", id: null })}>
            By practitioner
          </button>
          <button type="button" aria-pressed={by === "room"} onClick={() => update({ by: "room", id: null })}>
            By room
          </button>
        </div>
        <Field label={by === "practitioner" ? "Practitioner" : "Room"}>
          <select value={selected} onChange={(e) => update({ id: e.target.value })}>
            {options.length === 0 ? <option value="">{reference.loading ? "Loading…" : "None"}</option> : null}
            {options.map((o) => (
              <option key={o.id} value={o.id}>
                {o.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Date">
          <input type="date" value={date} onChange={(e) => e.target.value && update({ date: e.target.value })} />
        </Field>
        <div className="button-row" style={{ margin: 0 }}>
          <button type="button" className="secondary" onClick={() => update({ date: addDays(date, -step) })}>
            Previous {view}
          </button>
          <button type="button" className="secondary" onClick={() => update({ date: today })}>
            Today
          </button>
          <button type="button" className="secondary" onClick={() => update({ date: addDays(date, step) })}>
            Next {view}
          </button>
        </div>
      </div>
      <ProblemBanner problem={appointments.problem} onRetry={appointments.reload} />
      {(appointments.loading && !appointments.data) || reference.loading ? <Loading label="Loading appointments…" /> : null}
      {!reference.loading && options.length === 0 ? (
        <EmptyState title={by === "practitioner" ? "No practitioners yet." : "No rooms yet."}>An administrator adds them under Admin.</EmptyState>
      ) : null}
      {appointments.data && selected ? (
        <section aria-label={`Appointments ${view === "week" ? "this week" : "this day"}`} aria-busy={appointments.loading}>
          <p className="visually-hidden" role="status">
            {list.length} appointments
          </p>
          <div className={`calendar ${view}`}>
            {days.map((d) => {
              const items = byDay.get(d) ?? [];
              return (
                <div key={d} className={`cal-day${d === today ? " today" : ""}`}>
                  <h2>{dayLabel(d)}</h2>
                  {items.length === 0 ? (
                    <p className="muted small" style={{ padding: "0.4rem 0.5rem", margin: 0 }}>
                      No appointments
                    </p>
                  ) : (
                    <ol aria-label={`Appointments on ${dayLabel(d, true)}`}>
                      {items.map((a) => (
                        <AppointmentCard
                          key={a.id}
                          a={a}
                          who={a.group_id ? `Group: ${groupNames[a.group_id] ?? "…"}` : a.client_id ? (clientNames[a.client_id] ?? "…") : "—"}
                        />
                      ))}
                    </ol>
                  )}
                </div>
              );
            })}
          </div>
        </section>
      ) : null}
    </>
  );
}
