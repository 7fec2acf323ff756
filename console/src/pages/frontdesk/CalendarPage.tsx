import { useMemo } from "react";
import { Link, useSearchParams } from "react-router";
import { allPages, api, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { useNames } from "../../api/names";
import { personName, useReference } from "../../api/reference";
import type { Appointment } from "../../api/types";
import { useAuth } from "../../auth/AuthProvider";
import { EmptyState, Field, Loading, PageHeader, ProblemBanner } from "../../components";
import { addDays, dayLabel, todayIso, wallDate, wallTime, weekStart } from "../../lib/dates";
import { paths, SCHEDULERS } from "../../routes";
import { STATUS_LABEL } from "./labels";

type View = "day" | "week";
type By = "practitioner" | "room";

function AppointmentCard({ a, who }: { a: Appointment; who: string }) {
  return (
    <li>
      <Link to={paths.appointment(a.id)} className={`appt ${a.status}`}>
        <span className="appt-time">
          {wallTime(a.start)}–{wallTime(a.end)}
        </span>
        <span>{who}</span>
        <span className="muted small">
          {" "}
          · {a.billing_code}
          {a.status !== "booked" ? ` · ${STATUS_LABEL[a.status]}` : ""}
          {a.telehealth ? " · telehealth" : ""}
        </span>
      </Link>
    </li>
  );
}

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

  const appointments = useApi(async () => {
    if (!selected) return [] as Appointment[];
    const filter = by === "practitioner" ? { practitioner_id: selected } : { room_id: selected };
    return allPages((cursor) => ok(api().GET("/v1/appointments", { params: { query: { ...filter, from, to, limit: 100, cursor } } })), { max: 50 });
  }, [selected, by, from, to]);

  const list = useMemo(() => appointments.data ?? [], [appointments.data]);
  const clientNames = useNames("client", list.flatMap((a) => (a.client_id ? [a.client_id] : [])));
  const groupNames = useNames("group", list.flatMap((a) => (a.group_id ? [a.group_id] : [])));
  const days = view === "week" ? Array.from({ length: 7 }, (_, i) => addDays(from, i)) : [from];
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
