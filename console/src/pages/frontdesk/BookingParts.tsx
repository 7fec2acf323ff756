/** What the client booking page and the group page's booking form share: the repeat fields and
 * the recurrence they send, and the two dialogs a booking can end in (a taken room to override,
 * a booking the practice's rules refuse). */
import type { ApiProblem } from "../../api/problem";
import type { BookingWarning } from "../../api/types";
import { Dialog, Field } from "../../components";
import { WarningList } from "./WarningList";

export type Repeat = {
  repeat: "none" | "weekly" | "fortnightly";
  ends: "count" | "until";
  count: string;
  until: string;
};

/** A refusal to show: the API's sentence and the occurrences it is about. */
export type Refusal = { detail: string; warnings: BookingWarning[] };

/** The `recurrence` a booking sends (null: a single booking). */
export function recurrenceOf(r: Repeat) {
  if (r.repeat === "none") return null;
  return { frequency: r.repeat, ...(r.ends === "count" ? { count: Number(r.count) } : { until: r.until }) };
}

/** What a booking's refusal means: a room clash the user may override (warn mode), a refusal
 * per occurrence, or null for any other problem (shown as it is). The calendar can change
 * between the preview and the booking, so the booking's own 409 decides. */
export function bookingFailure(p: ApiProblem, roomBooking: string | null | undefined): { roomClash: BookingWarning[] } | { refusal: Refusal } | null {
  if (p.status !== 409 || p.warnings.length === 0) return null;
  if (p.warnings.every((w) => w.kind === "room") && roomBooking !== "block") return { roomClash: p.warnings };
  return { refusal: { detail: p.detail || p.title, warnings: p.warnings } };
}

/** "Repeats", then how the series ends, as fields of the surrounding form grid. */
export function RepeatFields({ value, onChange, problem, minCount = 1, countHint }: {
  value: Repeat;
  onChange: (next: Partial<Repeat>) => void;
  problem: ApiProblem | null;
  minCount?: number;
  countHint?: string;
}) {
  return (
    <>
      <Field label="Repeats" name="body.recurrence" problem={problem}>
        <select value={value.repeat} onChange={(e) => onChange({ repeat: e.target.value as Repeat["repeat"] })}>
          <option value="none">Does not repeat</option>
          <option value="weekly">Weekly</option>
          <option value="fortnightly">Fortnightly</option>
        </select>
      </Field>
      {value.repeat !== "none" ? (
        <>
          <Field label="Ends">
            <select value={value.ends} onChange={(e) => onChange({ ends: e.target.value as Repeat["ends"] })}>
              <option value="count">After a number of sessions</option>
              <option value="until">On a date</option>
            </select>
          </Field>
          {value.ends === "count" ? (
            <Field label="Number of sessions" name="body.recurrence.count" problem={problem} hint={countHint}>
              <input type="number" min={minCount} max={104} value={value.count} onChange={(e) => onChange({ count: e.target.value })} />
            </Field>
          ) : (
            <Field label="Last date" name="body.recurrence.until" problem={problem}>
              <input type="date" value={value.until} onChange={(e) => onChange({ until: e.target.value })} />
            </Field>
          )}
        </>
      ) : null}
    </>
  );
}

/** The room is taken (warn mode): book anyway only on an explicit choice. */
export function RoomClashDialog({ warnings, busy, onClose, onOverride }: {
  warnings: BookingWarning[] | null;
  busy: boolean;
  onClose: () => void;
  onOverride: () => void;
}) {
  return (
    <Dialog
      open={warnings !== null}
      title="The room is taken"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="secondary" onClick={onClose}>
            Change the booking
          </button>
          <button type="button" onClick={onOverride} disabled={busy}>
            Book anyway (override the room clash)
          </button>
        </>
      }
    >
      <p>The room is already booked at these times. Book anyway only if the room can really be shared. Nothing is booked yet.</p>
      <WarningList warnings={warnings ?? []} />
    </Dialog>
  );
}

/** The practice's rules refuse the booking: say why, per occurrence. */
export function RefusedDialog({ refusal, onClose }: { refusal: Refusal | null; onClose: () => void }) {
  return (
    <Dialog open={refusal !== null} title="This booking is refused" onClose={onClose} footer={<button type="button" onClick={onClose}>Change the booking</button>}>
      <p>{refusal?.detail}</p>
      <WarningList warnings={refusal?.warnings ?? []} />
    </Dialog>
  );
}
