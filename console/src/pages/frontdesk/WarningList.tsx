import type { BookingWarning } from "../../api/types";
import { useNames } from "../../api/names";
import { usePractice } from "../../api/reference";
import { dayLabel, inZone } from "../../lib/dates";
import { WARNING_LABEL } from "./labels";

/** The API's booking warnings, one entry per occurrence ("Occurrence 3 · Tue 15 Dec 09:00"). */
export function WarningList({ warnings }: { warnings: BookingWarning[] }) {
  const practice = usePractice();
  const zone = practice.data?.time_zone;
  const names = useNames("client", warnings.flatMap((w) => (w.client_id ? [w.client_id] : [])));
  const byOccurrence = new Map<number, BookingWarning[]>();
  for (const w of warnings) byOccurrence.set(w.occurrence, [...(byOccurrence.get(w.occurrence) ?? []), w]);
  const occurrences = Array.from(byOccurrence.entries()).sort((a, b) => a[0] - b[0]);
  return (
    <ul className="plain-list" aria-label="Warnings by occurrence">
      {occurrences.map(([n, ws]) => (
        <li key={n}>
          <strong>
            Occurrence {n} · {dayLabel(inZone(ws[0]?.start ?? "", zone).date)} {inZone(ws[0]?.start ?? "", zone).time}
          </strong>
          <ul>
            {ws.map((w, i) => (
              <li key={i}>
                {WARNING_LABEL[w.kind] ?? w.kind}
                {w.client_id ? ` (${names[w.client_id] ?? "member"})` : ""}: {w.detail}
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}
