import { useState, type FormEvent } from "react";
import { Link, useLocation, useParams } from "react-router";
import { api, ifMatch, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { useNames } from "../../api/names";
import { asProblem, type ApiProblem } from "../../api/problem";
import { personName, useReference } from "../../api/reference";
import type { Appointment, BookingWarning, ChargeResult } from "../../api/types";
import { useAuth } from "../../auth/AuthProvider";
import { Dialog, Field, FormDialog, Loading, PageHeader, ProblemBanner } from "../../components";
import { dayLabel, localDateTime, wallDate, wallTime } from "../../lib/dates";
import { paths, SCHEDULERS } from "../../routes";
import { ChargeSummary } from "./ChargeSummary";
import { useAction } from "../admin/useAction";
import { STATUS_LABEL } from "./labels";
import { WarningList } from "./WarningList";

type StatusValue = Appointment["status"];

function MoveDialog({ appointment, open, onClose, onMoved }: {
  appointment: Appointment;
  open: boolean;
  onClose: () => void;
  onMoved: (message: string, warnings: BookingWarning[]) => void;
}) {
  const reference = useReference();
  const [form, setForm] = useState({
    date: wallDate(appointment.start),
    start: wallTime(appointment.start),
    end: wallTime(appointment.end),
    roomId: appointment.room_id ?? "",
    practitionerId: appointment.practitioner_id,
    scope: "this" as "this" | "following",
  });
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [clash, setClash] = useState<BookingWarning[] | null>(null);
  const [busy, setBusy] = useState(false);
  const rooms = (reference.data?.rooms ?? []).filter((r) => r.location_ids.includes(appointment.location_id));

  async function move(override: boolean) {
    setBusy(true);
    setProblem(null);
    try {
      const result = await ok(
        api().PATCH("/v1/appointments/{appointment_id}", {
          params: { path: { appointment_id: appointment.id }, header: { "If-Match": ifMatch(appointment.version) } },
          body: {
            start: localDateTime(form.date, form.start),
            end: localDateTime(form.date, form.end),
            room_id: form.roomId || null,
            practitioner_id: form.practitionerId,
            scope: form.scope,
            override_room_conflict: override,
          },
        }),
      );
      setClash(null);
      onMoved(`Moved ${result.appointments.length} appointment${result.appointments.length === 1 ? "" : "s"}.`, result.warnings ?? []);
    } catch (error) {
      const p = asProblem(error);
      if (p.status === 409 && p.warnings.length > 0 && p.warnings.every((w) => w.kind === "room") && !override) setClash(p.warnings);
      else setProblem(p);
    } finally {
      setBusy(false);
    }
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    void move(false);
  }
  const claimed = ["body.start", "body.end", "body.room_id", "body.practitioner_id", "body.scope"];
  return (
    <Dialog open={open} title="Move appointment" onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <ProblemBanner problem={problem} claimed={claimed} />
        {clash ? (
          <div className="warning-box" role="alert">
            <p>
              <strong>The room is taken.</strong> Override only if the room can really be shared.
            </p>
            <WarningList warnings={clash} />
            <div className="button-row">
              <button type="button" onClick={() => void move(true)} disabled={busy}>
                Move anyway (override the room clash)
              </button>
            </div>
          </div>
        ) : null}
        <Field label="Date" name="body.start" problem={problem}>
          <input type="date" value={form.date} onChange={(e) => setForm({ ...form, date: e.target.value })} />
        </Field>
        <div className="form-grid">
          <Field label="Start time">
            <input type="time" value={form.start} onChange={(e) => setForm({ ...form, start: e.target.value })} />
          </Field>
          <Field label="End time" name="body.end" problem={problem}>
            <input type="time" value={form.end} onChange={(e) => setForm({ ...form, end: e.target.value })} />
          </Field>
        </div>
        <Field label="Practitioner" name="body.practitioner_id" problem={problem}>
          <select value={form.practitionerId} onChange={(e) => setForm({ ...form, practitionerId: e.target.value })}>
            {(reference.data?.practitioners ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {personName(p)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Room" name="body.room_id" problem={problem}>
          <select value={form.roomId} onChange={(e) => setForm({ ...form, roomId: e.target.value })}>
            <option value="">No room</option>
            {rooms.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </Field>
        {appointment.series_id ? (
          <fieldset>
            <legend>Which appointments</legend>
            <label className="check">
              <input type="radio" name="scope" checked={form.scope === "this"} onChange={() => setForm({ ...form, scope: "this" })} /> Only this one
            </label>
            <label className="check">
              <input type="radio" name="scope" checked={form.scope === "following"} onChange={() => setForm({ ...form, scope: "following" })} /> This and the rest of the series
            </label>
          </fieldset>
        ) : null}
        <div className="button-row">
          <button type="submit" disabled={busy}>
            Move
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The attendance buttons of a client appointment, in order. */
const ATTENDANCE: [StatusValue, string][] = [
  ["attended", "Attended"],
  ["no_show", "No show"],
  ["late_cancel", "Late cancel"],
];

function ReasonDialog({ open, title, action, onClose, onConfirm, busy, problem }: {
  open: boolean;
  title: string;
  action: string;
  onClose: () => void;
  onConfirm: (reason: string) => void;
  busy: boolean;
  problem: ApiProblem | null;
}) {
  const [reason, setReason] = useState("");
  return (
    <FormDialog
      open={open}
      title={title}
      onClose={onClose}
      onSubmit={() => onConfirm(reason)}
      noValidate={false}
      problem={problem}
      claimed={["body.reason"]}
      busy={busy}
      submitLabel={action}
      danger
      cancelLabel="Keep it"
    >
      <Field label="Reason" name="body.reason" problem={problem}>
        <input value={reason} onChange={(e) => setReason(e.target.value)} />
      </Field>
    </FormDialog>
  );
}

export default function AppointmentPage() {
  const { appointmentId = "" } = useParams();
  const { role } = useAuth();
  const location = useLocation();
  const reference = useReference();
  const appointment = useApi(() => ok(api().GET("/v1/appointments/{appointment_id}", { params: { path: { appointment_id: appointmentId } } })), [appointmentId]);
  const flash = (location.state as { flash?: string } | null)?.flash;
  const [message, setMessage] = useState<string | null>(null);
  const [warnings, setWarnings] = useState<BookingWarning[]>([]);
  const [charge, setCharge] = useState<ChargeResult | null>(null);
  const { problem, busy, run } = useAction();
  const [moving, setMoving] = useState(false);
  const [cancelling, setCancelling] = useState<"this" | "following" | null>(null);
  const a = appointment.data;
  const clientNames = useNames("client", a?.client_id ? [a.client_id] : []);
  const groupNames = useNames("group", a?.group_id ? [a.group_id] : []);

  async function setStatus(status: StatusValue, reason?: string) {
    if (!a) return;
    setMessage(null);
    const result = await run(() =>
      ok(
        api().POST("/v1/appointments/{appointment_id}/status", {
          params: { path: { appointment_id: a.id }, header: { "If-Match": ifMatch(a.version) } },
          body: { status, reason: reason || null },
        }),
      ),
    );
    if (!result) return;
    setCharge(result.charge ?? null);
    setMessage(`Marked ${STATUS_LABEL[result.appointment.status].toLowerCase()}.`);
    setCancelling(null);
    appointment.reload();
  }

  async function cancelFollowing(reason: string) {
    if (!a) return;
    const result = await run(() =>
      ok(
        api().POST("/v1/appointments/{appointment_id}/cancel-following", {
          params: { path: { appointment_id: a.id }, header: { "If-Match": ifMatch(a.version) } },
          body: { reason },
        }),
      ),
    );
    if (!result) return;
    setMessage(`Cancelled ${result.appointments.length} appointment${result.appointments.length === 1 ? "" : "s"} of the series.`);
    setCancelling(null);
    appointment.reload();
  }

  if (appointment.loading && !a) return <Loading label="Loading appointment…" />;
  if (!a) {
    return (
      <>
        <PageHeader title="Appointment" />
        <ProblemBanner problem={appointment.problem} onRetry={appointment.reload} />
      </>
    );
  }
  const practitioner = reference.data?.users.find((u) => u.id === a.practitioner_id);
  const loc = reference.data?.locations.find((l) => l.id === a.location_id);
  const room = reference.data?.rooms.find((r) => r.id === a.room_id);
  const canChange = SCHEDULERS.includes(role);
  const who = a.group_id ? `Group: ${groupNames[a.group_id] ?? "…"}` : a.client_id ? (clientNames[a.client_id] ?? "…") : "—";
  const isGroup = Boolean(a.group_id);
  return (
    <>
      <PageHeader
        title={`Appointment: ${who}`}
        actions={
          <Link className="button secondary" to={`${paths.calendar}?view=day&date=${wallDate(a.start)}&by=practitioner&id=${a.practitioner_id}`}>
            Back to calendar
          </Link>
        }
      >
        <p className="muted">
          {dayLabel(wallDate(a.start), true)}, {wallTime(a.start)}–{wallTime(a.end)}
        </p>
      </PageHeader>
      {flash && !message ? (
        <p className="success" role="status">
          {flash}
        </p>
      ) : null}
      {message ? (
        <div className="success" role="status">
          <p style={{ margin: 0 }}>{message}</p>
          <ChargeSummary charge={charge} />
        </div>
      ) : null}
      {warnings.length > 0 ? (
        <div className="warning-box">
          <p style={{ margin: 0 }}>
            <strong>Warnings</strong>
          </p>
          <WarningList warnings={warnings} />
        </div>
      ) : null}
      <ProblemBanner problem={problem} onRetry={undefined} />
      <div className="grid-2">
        <section className="panel" aria-labelledby="appt-details">
          <h2 id="appt-details">Details</h2>
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              <span className={`status-badge ${a.status}`}>{STATUS_LABEL[a.status]}</span>
              {a.cancel_reason ? ` · ${a.cancel_reason}` : ""}
            </dd>
            <dt>{isGroup ? "Group" : "Client"}</dt>
            <dd>
              {a.client_id ? <Link to={paths.client(a.client_id)}>{clientNames[a.client_id] ?? "Open client"}</Link> : null}
              {a.group_id ? <Link to={paths.group(a.group_id)}>{groupNames[a.group_id] ?? "Open group"}</Link> : null}
            </dd>
            <dt>Practitioner</dt>
            <dd>{personName(practitioner)}</dd>
            <dt>Location</dt>
            <dd>{loc?.name ?? "—"}</dd>
            <dt>Room</dt>
            <dd>{room?.name ?? "No room"}</dd>
            <dt>Billing code</dt>
            <dd>{a.billing_code}</dd>
            <dt>Telehealth</dt>
            <dd>{a.telehealth ? "Yes" : "No"}</dd>
            {a.series_id ? (
              <>
                <dt>Series</dt>
                <dd>Occurrence {a.occurrence}</dd>
              </>
            ) : null}
            {a.prior_authorization_number ? (
              <>
                <dt>Prior authorization</dt>
                <dd>{a.prior_authorization_number}</dd>
              </>
            ) : null}
            {a.notes ? (
              <>
                <dt>Notes</dt>
                <dd>{a.notes}</dd>
              </>
            ) : null}
          </dl>
        </section>
        {canChange ? (
          <section className="panel" aria-labelledby="appt-actions">
            <h2 id="appt-actions">Actions</h2>
            {isGroup ? (
              <p>
                Group attendance is marked per member:{" "}
                {a.group_id ? <Link to={paths.groupSession(a.group_id, a.id)}>open the attendance grid</Link> : null}.
              </p>
            ) : (
              <div className="button-row" role="group" aria-label="Attendance">
                {ATTENDANCE.map(([status, label]) => (
                  <button key={status} type="button" className={status === "attended" ? undefined : "secondary"} onClick={() => void setStatus(status)} disabled={busy || a.status === status}>
                    {label}
                  </button>
                ))}
                {a.status !== "booked" ? (
                  <button type="button" className="secondary" onClick={() => void setStatus("booked")} disabled={busy}>
                    Back to booked
                  </button>
                ) : null}
              </div>
            )}
            <div className="button-row">
              <button type="button" className="secondary" onClick={() => setMoving(true)} disabled={busy || a.status !== "booked"}>
                Move
              </button>
              <button type="button" className="danger" onClick={() => setCancelling("this")} disabled={busy || a.status === "cancelled"}>
                Cancel appointment
              </button>
              {a.series_id ? (
                <button type="button" className="danger" onClick={() => setCancelling("following")} disabled={busy}>
                  Cancel the rest of the series
                </button>
              ) : null}
            </div>
          </section>
        ) : null}
      </div>
      {moving ? (
        <MoveDialog
          appointment={a}
          open={moving}
          onClose={() => setMoving(false)}
          onMoved={(text, ws) => {
            setMoving(false);
            setMessage(text);
            setCharge(null);
            setWarnings(ws);
            appointment.reload();
          }}
        />
      ) : null}
      <ReasonDialog
        open={cancelling !== null}
        title={cancelling === "following" ? "Cancel the rest of the series" : "Cancel appointment"}
        action={cancelling === "following" ? "Cancel the rest" : "Cancel appointment"}
        onClose={() => setCancelling(null)}
        busy={busy}
        problem={problem}
        onConfirm={(reason) => (cancelling === "following" ? void cancelFollowing(reason) : void setStatus("cancelled", reason))}
      />
    </>
  );
}
