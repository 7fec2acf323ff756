/** /groups/:groupId/sessions/:appointmentId — the attendance grid of one group session:
 * "mark all attended", then each member's status and code; every member's state at a glance
 * (the API's summary), who was not charged and why, and a payment per member. */
import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { api, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { useReference } from "../../api/reference";
import type { components } from "../../api/schema";
import { useAuth } from "../../auth/AuthProvider";
import { Dialog, Field, Loading, PageHeader, ProblemBanner } from "../../components";
import { wallDate, wallTime } from "../../lib/dates";
import { paths } from "../../routes";
import { useAction, useEdited } from "../admin/useAction";
import { GROUP_EDITORS } from "./GroupsPage";
import "./groups.css";

type S = components["schemas"];
type Attendance = S["GroupAttendance"];
type MemberAttendance = S["MemberAttendance"];
type MemberMark = S["MemberMark"];
type Status = MemberMark["status"];
type Fee = NonNullable<MemberMark["fee"]>;
type Method = S["PaymentCreate"]["method"];

const STATUS_LABEL: Record<Status, string> = {
  unmarked: "Not marked",
  attended: "Attended",
  no_show: "No show",
  late_cancel: "Late cancel",
  absent: "Absent (no fee)",
};
const FEE_LABEL: Record<Fee, string> = { default: "Group's default code", code: "Another code", custom: "Custom code", none: "No fee" };
const METHODS: Method[] = ["cash", "card", "eftpos", "check", "bank_transfer", "insurance", "other"];

type Draft = { status: Status; fee: Fee; billing_code: string; custom: { code: string; description: string; fee: string } };

function draftOf(m: MemberAttendance): Draft {
  return { status: m.status, fee: m.fee, billing_code: m.billing_code ?? "", custom: { code: "", description: "", fee: "" } };
}

function same(a: Draft, m: MemberAttendance): boolean {
  return a.status === m.status && a.fee === m.fee && (a.fee !== "code" || a.billing_code === (m.billing_code ?? "")) && a.fee !== "custom";
}

function PaymentDialog({ appointmentId, member, onClose }: { appointmentId: string; member: MemberAttendance; onClose: () => void }) {
  const [form, setForm] = useState<{ amount: string; method: Method; on: string }>({ amount: member.amount ?? "", method: "card", on: "" });
  const [result, setResult] = useState<S["InvoiceChange"] | null>(null);
  const action = useAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    const change = await action.run(() =>
      ok(
        api().POST("/v1/appointments/{appointment_id}/attendance/{client_id}/payments", {
          params: { path: { appointment_id: appointmentId, client_id: member.client_id } },
          body: { amount: form.amount, method: form.method, on: form.on || null },
        }),
      ),
    );
    if (change) setResult(change);
  }
  return (
    <Dialog open title={`Payment from ${member.client_name}`} onClose={onClose}>
      {result ? (
        <div className="success" role="status">
          <p>
            Payment recorded. Invoice total {result.invoice.total}, paid {result.invoice.paid}, balance due {result.invoice.balance_due}
            {result.invoice.credit && result.invoice.credit !== "0.00" ? `, credit ${result.invoice.credit}` : ""}.
          </p>
          <button type="button" onClick={onClose}>
            Done
          </button>
        </div>
      ) : (
        <form onSubmit={submit} noValidate>
          <ProblemBanner problem={action.problem} claimed={["body.amount", "body.method", "body.on"]} />
          <Field label="Amount" name="body.amount" problem={action.problem} hint="Added to the invoice of this member's session (created on the first payment).">
            <input inputMode="decimal" value={form.amount} onChange={(e) => setForm({ ...form, amount: e.target.value })} />
          </Field>
          <Field label="Method" name="body.method" problem={action.problem}>
            <select value={form.method} onChange={(e) => setForm({ ...form, method: e.target.value as Method })}>
              {METHODS.map((m) => (
                <option key={m} value={m}>
                  {m.replace("_", " ")}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Paid on (default today)" name="body.on" problem={action.problem}>
            <input type="date" value={form.on} onChange={(e) => setForm({ ...form, on: e.target.value })} />
          </Field>
          <div className="button-row">
            <button type="submit" disabled={action.busy}>
              Record payment
            </button>
            <button type="button" className="secondary" onClick={onClose}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

export default function AttendancePage() {
  const { groupId = "", appointmentId = "" } = useParams();
  const { role } = useAuth();
  const ref = useReference();
  const loaded = useApi(
    () =>
      Promise.all([
        ok(api().GET("/v1/appointments/{appointment_id}/attendance", { params: { path: { appointment_id: appointmentId } } })),
        ok(api().GET("/v1/appointments/{appointment_id}", { params: { path: { appointment_id: appointmentId } } })),
        ok(api().GET("/v1/groups/{group_id}", { params: { path: { group_id: groupId } } })),
      ]),
    [appointmentId, groupId],
  );
  const [attendance, setAttendance] = useEdited<Attendance>(loaded.data?.[0]);
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const [sent, setSent] = useState<string[]>([]);
  const [paying, setPaying] = useState<MemberAttendance | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const action = useAction();

  const appointment = loaded.data?.[1];
  const group = loaded.data?.[2];
  const editable = GROUP_EDITORS.includes(role) && appointment?.status !== "cancelled";
  const canTakePayment = ["admin", "front_desk", "billing"].includes(role);
  const draft = (m: MemberAttendance): Draft => drafts[m.client_id] ?? draftOf(m);
  const changed = attendance ? attendance.members.filter((m) => !same(draft(m), m)) : [];

  async function post(body: S["AttendanceUpdate"], members: string[], done: string) {
    setMessage(null);
    setSent(members);
    const answer = await action.run(() => ok(api().POST("/v1/appointments/{appointment_id}/attendance", { params: { path: { appointment_id: appointmentId } }, body })));
    if (answer) {
      setAttendance(answer);
      setDrafts({});
      setMessage(done);
    }
  }

  function markOf(clientId: string): MemberMark {
    const member = attendance?.members.find((m) => m.client_id === clientId);
    const d = drafts[clientId] ?? (member ? draftOf(member) : { status: "unmarked" as Status, fee: "default" as Fee, billing_code: "", custom: { code: "", description: "", fee: "" } });
    const mark: MemberMark = { client_id: clientId, status: d.status };
    if (d.status === "attended") {
      mark.fee = d.fee;
      if (d.fee === "code") mark.billing_code = d.billing_code || null;
      if (d.fee === "custom") mark.custom_code = d.custom;
    }
    return mark;
  }

  function set(clientId: string, change: Partial<Draft>) {
    const member = attendance?.members.find((m) => m.client_id === clientId);
    if (!member) return;
    setDrafts((old) => ({ ...old, [clientId]: { ...(old[clientId] ?? draftOf(member)), ...change } }));
  }

  const err = (clientId: string, field: string) => {
    const index = sent.indexOf(clientId);
    return index >= 0 ? action.problem?.errorFor(`body.members.${index}.${field}`) : undefined;
  };
  const nameOf = (clientId: string) => attendance?.members.find((m) => m.client_id === clientId)?.client_name ?? clientId;

  return (
    <>
      <PageHeader title={group ? `${group.name}: attendance` : "Attendance"}>
        {appointment ? (
          <p className="muted">
            {wallDate(appointment.start)} {wallTime(appointment.start)}–{wallTime(appointment.end)} · default code {appointment.billing_code} ·{" "}
            <span className={`status-badge ${appointment.status}`}>{appointment.status.replace("_", " ")}</span> · <Link to={paths.group(groupId)}>Group</Link>
            {role === "admin" || role === "practitioner" ? (
              <>
                {" "}
                · <Link to={`/groups/${encodeURIComponent(groupId)}/sessions/${encodeURIComponent(appointmentId)}/note`}>Group note</Link>
              </>
            ) : null}
          </p>
        ) : null}
      </PageHeader>
      <ProblemBanner problem={loaded.problem} onRetry={loaded.reload} />
      {loaded.loading && !attendance ? <Loading label="Loading attendance…" /> : null}
      {attendance ? (
        <>
          {editable ? (
            <div className="button-row">
              <button type="button" disabled={action.busy} onClick={() => void post({ all_attended: true }, [], "Everyone is marked attended with the group's default code.")}>
                Mark all attended
              </button>
              <button
                type="button"
                className="secondary"
                disabled={action.busy || changed.length === 0}
                onClick={() => {
                  const ids = changed.map((m) => m.client_id);
                  void post({ members: ids.map(markOf) }, ids, `Saved ${ids.length} change${ids.length === 1 ? "" : "s"}.`);
                }}
              >
                Save changes{changed.length ? ` (${changed.length})` : ""}
              </button>
              {action.busy ? (
                <span role="status" className="muted small">
                  Saving marks and charging…
                </span>
              ) : null}
            </div>
          ) : null}
          <ProblemBanner problem={action.problem} claimed={sent.map((_, i) => `body.members.${i}`)} />
          {message ? (
            <p className="success" role="status">
              {message}
            </p>
          ) : null}
          {attendance.members.length === 0 ? <p className="muted">The group had no members at this session.</p> : null}
          <ul className="attendance-grid" aria-label="Members">
            {attendance.members.map((m) => {
              const d = draft(m);
              const rowId = `member-${m.client_id}`;
              return (
                <li key={m.client_id} className={`attendance-row ${m.status}`} data-testid={rowId} aria-labelledby={`${rowId}-name`}>
                  <div className="attendance-who">
                    <h2 id={`${rowId}-name`}>
                      <Link to={paths.client(m.client_id)}>{m.client_name}</Link>
                    </h2>
                    <span className={`status-badge ${m.status}`} data-testid={`${rowId}-status`}>
                      {STATUS_LABEL[m.status]}
                    </span>
                    <p className="attendance-summary" data-testid={`${rowId}-summary`}>
                      {m.summary}
                    </p>
                    {m.not_charged_reason ? <p className="muted small">Not charged: {m.not_charged_reason}</p> : null}
                    {m.error ? <p className="field-error">{m.error}</p> : null}
                  </div>
                  {editable ? (
                    <div className="attendance-controls">
                      <Field label="Status">
                        <select aria-label={`Status of ${m.client_name}`} value={d.status} onChange={(e) => set(m.client_id, { status: e.target.value as Status })}>
                          {(Object.keys(STATUS_LABEL) as Status[]).map((s) => (
                            <option key={s} value={s}>
                              {STATUS_LABEL[s]}
                            </option>
                          ))}
                        </select>
                      </Field>
                      {d.status === "attended" ? (
                        <Field label="Fee" problem={action.problem}>
                          <select aria-label={`Fee of ${m.client_name}`} value={d.fee} onChange={(e) => set(m.client_id, { fee: e.target.value as Fee })}>
                            {(Object.keys(FEE_LABEL) as Fee[]).map((f) => (
                              <option key={f} value={f}>
                                {FEE_LABEL[f]}
                              </option>
                            ))}
                          </select>
                        </Field>
                      ) : null}
                      {d.status === "attended" && d.fee === "code" ? (
                        <div className={`field${err(m.client_id, "billing_code") ? " has-error" : ""}`}>
                          <label htmlFor={`${rowId}-code`}>Billing code</label>
                          <select id={`${rowId}-code`} value={d.billing_code} onChange={(e) => set(m.client_id, { billing_code: e.target.value })}>
                            <option value="">Choose…</option>
                            {(ref.data?.billingCodes ?? []).map((c) => (
                              <option key={c.code} value={c.code}>
                                {c.code} · {c.description}
                              </option>
                            ))}
                          </select>
                          {err(m.client_id, "billing_code") ? <p className="field-error">{err(m.client_id, "billing_code")}</p> : null}
                        </div>
                      ) : null}
                      {d.status === "attended" && d.fee === "custom" ? (
                        <fieldset className="custom-code">
                          <legend>Custom code</legend>
                          {(["code", "description", "fee"] as const).map((k) => (
                            <div key={k} className={`field${err(m.client_id, `custom_code.${k}`) ? " has-error" : ""}`}>
                              <label htmlFor={`${rowId}-custom-${k}`}>{k === "fee" ? "Fee" : k === "code" ? "Code" : "Description"}</label>
                              <input id={`${rowId}-custom-${k}`} value={d.custom[k]} onChange={(e) => set(m.client_id, { custom: { ...d.custom, [k]: e.target.value } })} />
                              {err(m.client_id, `custom_code.${k}`) ? <p className="field-error">{err(m.client_id, `custom_code.${k}`)}</p> : null}
                            </div>
                          ))}
                        </fieldset>
                      ) : null}
                      {err(m.client_id, "status") ? <p className="field-error">{err(m.client_id, "status")}</p> : null}
                    </div>
                  ) : null}
                  {canTakePayment && m.status === "attended" ? (
                    <div>
                      <button type="button" className="secondary" onClick={() => setPaying(m)} aria-label={`Take payment from ${m.client_name}`}>
                        Take payment
                      </button>
                    </div>
                  ) : null}
                </li>
              );
            })}
          </ul>
          <section className="panel" aria-labelledby="not-charged-title">
            <h2 id="not-charged-title">Not charged</h2>
            {attendance.not_charged.length === 0 ? (
              <p className="muted">Every member marked so far was charged (or nobody is marked yet).</p>
            ) : (
              <ul className="plain-list" data-testid="not-charged">
                {attendance.not_charged.map((n) => (
                  <li key={n.client_id}>
                    <strong>{nameOf(n.client_id)}</strong>: {n.reason}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      ) : null}
      {paying ? (
        <PaymentDialog
          appointmentId={appointmentId}
          member={paying}
          onClose={() => {
            setPaying(null);
          }}
        />
      ) : null}
    </>
  );
}
