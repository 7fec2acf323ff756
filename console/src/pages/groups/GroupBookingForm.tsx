/** The group page's booking form: one group session or a weekly/fortnightly series. "Preview"
 * asks the API what the booking would do (POST …/appointment-previews, nothing written) and
 * shows every occurrence with its warnings (a taken room, each member short of balance); only
 * then can the sessions be booked, with an explicit override when the room is taken. */
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api, ok } from "../../api/client";
import { ApiProblem, asProblem } from "../../api/problem";
import { personName, usePractice, useReference } from "../../api/reference";
import type { components } from "../../api/schema";
import type { Booking, BookingWarning, Group } from "../../api/types";
import { DataTable, EmptyState, Field, Loading, ProblemBanner } from "../../components";
import { addMinutesToTime, dayLabel, localDateTime, todayIso, wallDate, wallTime } from "../../lib/dates";
import { paths } from "../../routes";
import { bookingFailure, RefusedDialog, recurrenceOf, RepeatFields, RoomClashDialog, type Refusal, type Repeat } from "../frontdesk/BookingParts";
import { WarningList } from "../frontdesk/WarningList";
import { STATUS_LABEL, WARNING_LABEL } from "../frontdesk/labels";

type BookingPreview = components["schemas"]["BookingPreview"];
type PlannedOccurrence = components["schemas"]["PlannedOccurrence"];
type Appointment = Booking["appointments"][number];

type Form = {
  practitionerId: string;
  locationId: string;
  roomId: string;
  date: string;
  start: string;
  end: string;
  billingCode: string;
  telehealth: boolean;
  notes: string;
} & Repeat;

// The fields the form shows errors next to; any other field error goes to the banner.
const CLAIMED = [
  "body.practitioner_id", "body.location_id", "body.room_id", "body.start", "body.end", "body.billing_code",
  "body.recurrence", "body.notes", "body.telehealth",
];

function minutesOf(time: string): number {
  const [h, m] = time.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** "Tue 15 Dec 2026, 18:00–19:30" (the API writes times with the practice's offset). */
function when(o: { start: string; end: string }): string {
  const date = wallDate(o.start);
  return `${dayLabel(date)} ${date.slice(0, 4)}, ${wallTime(o.start)}–${wallTime(o.end)}`;
}

/** One occurrence's warnings in a few words ("Room taken", "Pack (2 members)"). */
function checksOf(warnings: BookingWarning[]): string {
  if (warnings.length === 0) return "No warnings";
  const counts = new Map<string, number>();
  for (const w of warnings) counts.set(w.kind, (counts.get(w.kind) ?? 0) + 1);
  return Array.from(counts.entries())
    .map(([kind, n]) => {
      if (kind === "room") return "Room taken";
      if (kind === "practitioner") return "Practitioner busy";
      return `${WARNING_LABEL[kind] ?? kind} (${n} member${n === 1 ? "" : "s"})`;
    })
    .join(" · ");
}

export function GroupBookingForm({ group, onBooked }: { group: Group; onBooked: (booking: Booking) => void }) {
  const reference = useReference();
  // Warn mode lets a room clash be overridden; block mode never does (PRODUCT §1).
  const practice = usePractice();
  const [form, setForm] = useState<Form>(() => ({
    practitionerId: "",
    locationId: "",
    roomId: "",
    date: todayIso(),
    start: "09:00",
    end: "10:30",
    billingCode: "",
    telehealth: false,
    repeat: "none",
    ends: "count",
    count: "6",
    until: "",
    notes: "",
  }));
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<BookingPreview | null>(null);
  const [roomClash, setRoomClash] = useState<BookingWarning[] | null>(null);
  const [refused, setRefused] = useState<Refusal | null>(null);
  const [booked, setBooked] = useState<Booking | null>(null);

  const ref = reference.data;
  const locationId = form.locationId || ref?.locations[0]?.id || "";
  const rooms = (ref?.rooms ?? []).filter((r) => r.location_ids.includes(locationId));
  // Only who runs or shares the group may hold its sessions (the API answers 422 otherwise).
  const runners = [group.practitioner_id, ...group.shared_with.filter((id) => id !== group.practitioner_id)];
  const usersById = new Map((ref?.users ?? []).map((u) => [u.id, u]));

  /** Any change makes the preview stale: the user previews again before booking. */
  function change(next: Partial<Form>) {
    setForm((f) => ({ ...f, ...next }));
    setPreview(null);
    setRoomClash(null);
    setRefused(null);
  }

  function body(override: boolean) {
    return {
      practitioner_id: form.practitionerId || null,
      location_id: locationId,
      room_id: form.roomId || null,
      start: localDateTime(form.date, form.start),
      end: localDateTime(form.date, form.end),
      billing_code: form.billingCode || null,
      telehealth: form.telehealth,
      notes: form.notes.trim() || null,
      recurrence: recurrenceOf(form),
      override_room_conflict: override,
    };
  }

  async function askPreview(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    setPreview(null);
    setRoomClash(null);
    setRefused(null);
    setBooked(null);
    setBusy(true);
    try {
      setPreview(
        await ok(api().POST("/v1/groups/{group_id}/appointment-previews", { params: { path: { group_id: group.id } }, body: body(false) })),
      );
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }

  /** "Book" under the preview: a taken room asks for the explicit override first. */
  function confirm() {
    if (!preview) return;
    if (preview.outcome === "needs_override") setRoomClash(preview.warnings.filter((w) => w.kind === "room"));
    else void book(false);
  }

  async function book(override: boolean) {
    setProblem(null);
    setRoomClash(null);
    setRefused(null);
    setBusy(true);
    try {
      const result = await ok(api().POST("/v1/groups/{group_id}/appointments", { params: { path: { group_id: group.id } }, body: body(override) }));
      setPreview(null);
      setBooked(result);
      onBooked(result);
    } catch (error) {
      const p = asProblem(error);
      const failure = bookingFailure(p, practice.data?.room_booking);
      if (failure === null) setProblem(p);
      else if ("roomClash" in failure) setRoomClash(failure.roomClash);
      else setRefused(failure.refusal);
    } finally {
      setBusy(false);
    }
  }

  const heading = <h2 id="book-title">Book a session</h2>;
  if (!group.active) {
    return (
      <section className="panel group-booking-panel" aria-labelledby="book-title">
        {heading}
        <EmptyState title="This group is inactive.">Tick “Active” in its details and save to book its sessions.</EmptyState>
      </section>
    );
  }
  if (reference.loading && !ref) {
    return (
      <section className="panel group-booking-panel" aria-labelledby="book-title">
        {heading}
        <Loading label="Loading practitioners, locations and rooms…" />
      </section>
    );
  }
  const sessions = preview?.occurrences.length ?? 0;
  const plural = (n: number) => `${n} session${n === 1 ? "" : "s"}`;
  return (
    <section className="panel group-booking-panel" aria-labelledby="book-title">
      {heading}
      <ProblemBanner problem={reference.problem} onRetry={reference.reload} />
      {group.member_count === 0 ? (
        <p className="muted small">The group has no members yet. You can still book its sessions: members added later join the sessions still to come.</p>
      ) : (
        <p className="muted small">
          Its {group.member_count} current member{group.member_count === 1 ? "" : "s"} join every session booked; each one’s pack or authorization is checked in the preview.
        </p>
      )}
      <form onSubmit={askPreview} noValidate aria-label="Book a group session" className="group-booking">
        <ProblemBanner problem={problem} claimed={CLAIMED} />
        <div className="form-grid">
          <Field label="Practitioner" name="body.practitioner_id" problem={problem}>
            <select value={form.practitionerId} onChange={(e) => change({ practitionerId: e.target.value })}>
              <option value="">{personName(usersById.get(group.practitioner_id))} (runs the group)</option>
              {runners.slice(1).map((id) => (
                <option key={id} value={id}>
                  {usersById.get(id) ? personName(usersById.get(id)) : id} (shared with)
                </option>
              ))}
            </select>
          </Field>
          <Field label="Location" name="body.location_id" problem={problem}>
            <select value={locationId} onChange={(e) => change({ locationId: e.target.value, roomId: "" })}>
              {(ref?.locations ?? []).map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Room" name="body.room_id" problem={problem} hint={rooms.length === 0 ? "This location has no rooms." : undefined}>
            <select value={form.roomId} onChange={(e) => change({ roomId: e.target.value })}>
              <option value="">No room</option>
              {rooms.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Date" name="body.start" problem={problem}>
            <input type="date" value={form.date} onChange={(e) => change({ date: e.target.value })} required />
          </Field>
          <Field label="Start time">
            <input
              type="time"
              value={form.start}
              onChange={(e) => {
                const start = e.target.value;
                // Moving the start keeps the session's length.
                const length = Math.max(5, minutesOf(form.end) - minutesOf(form.start));
                change({ start, end: start ? addMinutesToTime(start, length) : form.end });
              }}
              required
            />
          </Field>
          <Field label="End time" name="body.end" problem={problem}>
            <input type="time" value={form.end} onChange={(e) => change({ end: e.target.value })} required />
          </Field>
          <Field label="Billing code" name="body.billing_code" problem={problem}>
            <select value={form.billingCode} onChange={(e) => change({ billingCode: e.target.value })}>
              <option value="">The group’s default ({group.default_billing_code})</option>
              {(ref?.billingCodes ?? []).filter((c) => !c.add_on).map((c) => (
                <option key={c.code} value={c.code}>
                  {c.code} · {c.description}
                </option>
              ))}
            </select>
          </Field>
          <RepeatFields value={form} onChange={change} problem={problem} minCount={2} countHint="2 to 104, this one included" />
        </div>
        <label className="check">
          <input type="checkbox" checked={form.telehealth} onChange={(e) => change({ telehealth: e.target.checked })} /> Telehealth
        </label>
        <Field label="Notes" name="body.notes" problem={problem}>
          <textarea value={form.notes} onChange={(e) => change({ notes: e.target.value })} />
        </Field>
        <div className="button-row">
          <button type="submit" disabled={busy} aria-busy={busy && !preview}>
            Preview
          </button>
          <Link to={`${paths.book}?group_id=${encodeURIComponent(group.id)}`} className="small">
            Open the full booking screen
          </Link>
        </div>
      </form>

      {busy && !preview && !booked ? <Loading label="Checking the booking…" /> : null}

      {preview ? (
        <section className="booking-preview" aria-labelledby="preview-title">
          <h3 id="preview-title">
            Preview: {plural(sessions)}, nothing booked yet
          </h3>
          {preview.outcome === "refused" ? (
            <p className="problem" role="alert">
              The practice’s booking rules refuse this booking (the room is taken and room clashes are blocked). Change the room or the times.
            </p>
          ) : preview.outcome === "needs_override" ? (
            <p className="warning-box">The room is taken for some of these sessions: booking them needs an explicit override.</p>
          ) : preview.warnings.length > 0 ? (
            <p className="warning-box">These sessions can be booked; check the warnings below first.</p>
          ) : (
            <p className="success">No warnings: the room is free and every member’s balance covers these sessions.</p>
          )}
          <DataTable<PlannedOccurrence>
            caption="Sessions that would be booked"
            rows={preview.occurrences}
            rowKey={(o) => String(o.occurrence)}
            columns={[
              { key: "n", header: "Occurrence", cell: (o) => o.occurrence },
              { key: "when", header: "When", cell: (o) => when(o) },
              {
                key: "checks",
                header: "Checks",
                cell: (o) => {
                  const ws = preview.warnings.filter((w) => w.occurrence === o.occurrence);
                  return <span className={ws.length ? "check-warn" : "check-ok"}>{checksOf(ws)}</span>;
                },
              },
            ]}
          />
          {preview.warnings.length > 0 ? (
            <div className="warning-box">
              <WarningList warnings={preview.warnings} />
            </div>
          ) : null}
          <div className="button-row">
            {preview.outcome !== "refused" ? (
              <button type="button" onClick={confirm} disabled={busy} aria-busy={busy}>
                Book {plural(sessions)}
              </button>
            ) : null}
            <button type="button" className="secondary" onClick={() => setPreview(null)}>
              Change the booking
            </button>
          </div>
        </section>
      ) : null}

      {booked ? <BookedSessions group={group} booking={booked} /> : null}

      <RoomClashDialog warnings={roomClash} busy={busy} onClose={() => setRoomClash(null)} onOverride={() => void book(true)} />
      <RefusedDialog refusal={refused} onClose={() => setRefused(null)} />
    </section>
  );
}

/** What was booked: each session opens its attendance grid or its appointment. */
function BookedSessions({ group, booking }: { group: Group; booking: Booking }) {
  const n = booking.appointments.length;
  return (
    <section className="booked-sessions" aria-labelledby="booked-title">
      <p className="success" role="status" id="booked-title">
        Booked {n} session{n === 1 ? "" : "s"}.
      </p>
      <DataTable<Appointment>
        caption="Sessions just booked"
        rows={booking.appointments}
        rowKey={(a) => a.id}
        columns={[
          { key: "n", header: "Occurrence", cell: (a) => a.occurrence },
          { key: "when", header: "When", cell: (a) => <Link to={paths.groupSession(group.id, a.id)}>{when(a)}</Link> },
          { key: "status", header: "Status", cell: (a) => <span className={`status-badge ${a.status}`}>{STATUS_LABEL[a.status]}</span> },
          {
            key: "open",
            header: "Appointment",
            cell: (a) => (
              <Link to={paths.appointment(a.id)}>
                Open<span className="visually-hidden"> the appointment of {when(a)}</span>
              </Link>
            ),
          },
        ]}
      />
      {booking.warnings.length > 0 ? (
        <div className="warning-box">
          <p>Booked with these warnings:</p>
          <WarningList warnings={booking.warnings} />
        </div>
      ) : null}
    </section>
  );
}
