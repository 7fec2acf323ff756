import { useState, type FormEvent } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { allPages, api, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { rememberName } from "../../api/names";
import { ApiProblem, asProblem } from "../../api/problem";
import { personName, useReference } from "../../api/reference";
import type { components } from "../../api/schema";
import type { Booking, BookingWarning } from "../../api/types";
import { useAuth } from "../../auth/AuthProvider";
import { Dialog, Field, Loading, PageHeader, ProblemBanner } from "../../components";
import { addMinutesToTime, localDateTime, todayIso } from "../../lib/dates";
import { paths } from "../../routes";
import { ClientPicker } from "../clients/ClientPicker";
import { bookingFailure, RefusedDialog, recurrenceOf, RepeatFields, RoomClashDialog, type Refusal, type Repeat } from "./BookingParts";
import { WarningList } from "./WarningList";

type Form = {
  kind: "client" | "group";
  client: { id: string; name: string } | null;
  groupId: string;
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

type BookingPreview = components["schemas"]["BookingPreview"];

const CLAIMED = [
  "body.client_id", "body.practitioner_id", "body.location_id", "body.room_id", "body.start", "body.end",
  "body.billing_code", "body.recurrence", "body.notes", "body.telehealth",
];

export default function BookPage() {
  const { me, role } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const reference = useReference();
  const groups = useApi(() => allPages((cursor) => ok(api().GET("/v1/groups", { params: { query: { limit: 100, cursor } } }))), []);
  // Warn mode lets a room clash be overridden; block mode never does (PRODUCT §1).
  const practice = useApi(() => ok(api().GET("/v1/practice")), []);
  const preset = params.get("client_id");
  const [form, setForm] = useState<Form>(() => ({
    kind: params.get("group_id") ? "group" : "client",
    client: preset ? { id: preset, name: params.get("client_name") ?? "Selected client" } : null,
    groupId: params.get("group_id") ?? "",
    practitionerId: params.get("practitioner_id") ?? (role === "practitioner" ? me.id : ""),
    locationId: "",
    roomId: params.get("room_id") ?? "",
    date: params.get("date") ?? todayIso(),
    start: "09:00",
    end: "09:50",
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
  const [roomClash, setRoomClash] = useState<BookingWarning[] | null>(null);
  const [blocked, setBlocked] = useState<Refusal | null>(null);
  // A preview's warnings (balance, practitioner) the user confirms before anything is booked.
  const [pending, setPending] = useState<BookingPreview | null>(null);

  const ref = reference.data;
  const practitionerId = form.practitionerId || ref?.practitioners[0]?.id || "";
  const locationId = form.locationId || ref?.locations[0]?.id || "";
  const rooms = (ref?.rooms ?? []).filter((r) => r.location_ids.includes(locationId));
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));

  function body(override: boolean) {
    return {
      location_id: locationId,
      room_id: form.roomId || null,
      start: localDateTime(form.date, form.start),
      end: localDateTime(form.date, form.end),
      billing_code: form.billingCode || null,
      telehealth: form.telehealth,
      notes: form.notes || null,
      recurrence: recurrenceOf(form),
      override_room_conflict: override,
    };
  }

  /** The client or group chosen, or a problem naming the missing field. */
  function who(): { client: { id: string; name: string } } | { groupId: string } | null {
    if (form.kind === "client") {
      if (form.client) return { client: form.client };
      setProblem(new ApiProblem(422, { title: "Choose a client", errors: [{ field: "body.client_id", reason: "choose a client" }] }));
    } else {
      if (form.groupId) return { groupId: form.groupId };
      setProblem(new ApiProblem(422, { title: "Choose a group", errors: [{ field: "body.group_id", reason: "choose a group" }] }));
    }
    return null;
  }

  function reset() {
    setProblem(null);
    setRoomClash(null);
    setBlocked(null);
    setPending(null);
  }

  /** "Book": ask what the booking would do, and book at once only when there is nothing to confirm. */
  async function preview() {
    reset();
    const target = who();
    if (!target) return;
    setBusy(true);
    try {
      const result =
        "client" in target
          ? await ok(api().POST("/v1/appointment-previews", { body: { ...body(false), client_id: target.client.id, practitioner_id: practitionerId } }))
          : await ok(
              api().POST("/v1/groups/{group_id}/appointment-previews", {
                params: { path: { group_id: target.groupId } },
                body: { ...body(false), practitioner_id: form.practitionerId || null },
              }),
            );
      if (result.outcome === "refused") {
        setBlocked({ detail: "The practice's booking rules refuse this booking.", warnings: result.warnings });
      } else if (result.outcome === "needs_override") {
        setRoomClash(result.warnings);
      } else if (result.warnings.length > 0) {
        setPending(result);
      } else {
        await book(false);
        return;
      }
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }

  async function book(override: boolean) {
    reset();
    const target = who();
    if (!target) return;
    setBusy(true);
    try {
      let result: Booking;
      if ("client" in target) {
        rememberName("client", target.client.id, target.client.name);
        result = await ok(api().POST("/v1/appointments", { body: { ...body(override), client_id: target.client.id, practitioner_id: practitionerId } }));
      } else {
        result = await ok(
          api().POST("/v1/groups/{group_id}/appointments", {
            params: { path: { group_id: target.groupId } },
            body: { ...body(override), practitioner_id: form.practitionerId || null },
          }),
        );
      }
      finish(result);
    } catch (error) {
      const p = asProblem(error);
      const failure = bookingFailure(p, practice.data?.room_booking);
      if (failure === null) setProblem(p);
      else if ("roomClash" in failure) setRoomClash(failure.roomClash);
      else setBlocked(failure.refusal);
    } finally {
      setBusy(false);
    }
  }

  function finish(result: Booking) {
    const first = result.appointments[0];
    navigate(first ? paths.appointment(first.id) : paths.calendar, {
      state: { flash: `Booked ${result.appointments.length} appointment${result.appointments.length === 1 ? "" : "s"}.` },
    });
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    void preview();
  }

  if (reference.loading) return <Loading />;
  return (
    <>
      <PageHeader title="Book appointment" />
      <ProblemBanner problem={reference.problem} onRetry={reference.reload} />
      <form className="panel" onSubmit={onSubmit} noValidate aria-label="Booking">
        <ProblemBanner problem={problem} claimed={[...CLAIMED, "body.group_id"]} />
        <fieldset>
          <legend>Who</legend>
          <div className="button-row" role="radiogroup" aria-label="Book for">
            <label className="check">
              <input type="radio" name="kind" checked={form.kind === "client"} onChange={() => set("kind", "client")} /> One client
            </label>
            <label className="check">
              <input type="radio" name="kind" checked={form.kind === "group"} onChange={() => set("kind", "group")} /> A group
            </label>
          </div>
          {form.kind === "client" ? (
            <ClientPicker value={form.client} onChange={(c) => set("client", c)} error={problem?.errorFor("body.client_id")} />
          ) : (
            <Field label="Group" name="body.group_id" problem={problem}>
              <select value={form.groupId} onChange={(e) => set("groupId", e.target.value)}>
                <option value="">{groups.loading ? "Loading groups…" : "Choose a group"}</option>
                {(groups.data ?? []).filter((g) => g.active).map((g) => (
                  <option key={g.id} value={g.id}>
                    {g.name} ({g.member_count} members)
                  </option>
                ))}
              </select>
            </Field>
          )}
        </fieldset>
        <fieldset>
          <legend>When and where</legend>
          <div className="form-grid">
            <Field label="Practitioner" name="body.practitioner_id" problem={problem} hint={form.kind === "group" ? "Empty: the group's practitioner" : undefined}>
              <select value={form.kind === "group" ? form.practitionerId : practitionerId} onChange={(e) => set("practitionerId", e.target.value)}>
                {form.kind === "group" ? <option value="">The group's practitioner</option> : null}
                {(ref?.practitioners ?? []).map((p) => (
                  <option key={p.id} value={p.id}>
                    {personName(p)}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Location" name="body.location_id" problem={problem}>
              <select value={locationId} onChange={(e) => setForm((f) => ({ ...f, locationId: e.target.value, roomId: "" }))}>
                {(ref?.locations ?? []).map((l) => (
                  <option key={l.id} value={l.id}>
                    {l.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Room" name="body.room_id" problem={problem}>
              <select value={form.roomId} onChange={(e) => set("roomId", e.target.value)}>
                <option value="">No room</option>
                {rooms.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Date" name="body.start" problem={problem}>
              <input type="date" value={form.date} onChange={(e) => set("date", e.target.value)} required />
            </Field>
            <Field label="Start time">
              <input
                type="time"
                value={form.start}
                onChange={(e) => {
                  const start = e.target.value;
                  setForm((f) => ({ ...f, start, end: start ? addMinutesToTime(start, 50) : f.end }));
                }}
                required
              />
            </Field>
            <Field label="End time" name="body.end" problem={problem}>
              <input type="time" value={form.end} onChange={(e) => set("end", e.target.value)} required />
            </Field>
            <Field label="Billing code" name="body.billing_code" problem={problem}>
              <select value={form.billingCode} onChange={(e) => set("billingCode", e.target.value)}>
                <option value="">{form.kind === "group" ? "The group's default code" : "The client's default service"}</option>
                {(ref?.billingCodes ?? []).filter((c) => !c.add_on).map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.code} · {c.description}
                  </option>
                ))}
              </select>
            </Field>
          </div>
          <label className="check">
            <input type="checkbox" checked={form.telehealth} onChange={(e) => set("telehealth", e.target.checked)} /> Telehealth
          </label>
        </fieldset>
        <fieldset>
          <legend>Repeat</legend>
          <div className="form-grid">
            <RepeatFields value={form} onChange={(next) => setForm((f) => ({ ...f, ...next }))} problem={problem} />
          </div>
        </fieldset>
        <Field label="Notes" name="body.notes" problem={problem}>
          <textarea value={form.notes} onChange={(e) => set("notes", e.target.value)} />
        </Field>
        <div className="button-row">
          <button type="submit" disabled={busy} aria-busy={busy}>
            Book
          </button>
          <button type="button" className="secondary" onClick={() => navigate(-1)}>
            Cancel
          </button>
        </div>
      </form>

      <RoomClashDialog warnings={roomClash} busy={busy} onClose={() => setRoomClash(null)} onOverride={() => void book(true)} />
      <RefusedDialog refusal={blocked} onClose={() => setBlocked(null)} />

      <Dialog
        open={pending !== null}
        title="Confirm the booking"
        onClose={() => setPending(null)}
        wide
        footer={
          <>
            <button type="button" className="secondary" onClick={() => setPending(null)}>
              Back
            </button>
            <button type="button" onClick={() => void book(false)} disabled={busy} aria-busy={busy}>
              Book
            </button>
          </>
        }
      >
        <p>
          Nothing is booked yet. {pending?.occurrences.length} appointment{pending?.occurrences.length === 1 ? "" : "s"} will be booked; check these
          warnings before you confirm:
        </p>
        <div className="warning-box">
          <WarningList warnings={pending?.warnings ?? []} />
        </div>
      </Dialog>
    </>
  );
}
