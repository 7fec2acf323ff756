/** /billing/claims — the claims workflow: create claims from sessions in a date range, list
 * them by status, fix what scrubbing found (each problem links to the record to fix), check
 * again, export a payer's ready claims as an 837P file and download it, record outcomes. */
import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { allPages, api, ifMatch, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import type { components } from "../../api/schema";
import { useAuth } from "../../auth/AuthProvider";
import { EmptyState, Field, FormDialog, Loading, NextPageButton, PageHeader, ProblemBanner, saveFile, usePaged } from "../../components";
import { addDays, todayIso } from "../../lib/dates";
import { paths } from "../../routes";
import { useAction } from "../admin/useAction";
import "./billing.css";

type S = components["schemas"];
type Claim = S["Claim"];
type ClaimStatus = Claim["status"];
type Problem = S["ClaimProblem"];
type Payer = S["Payer"];
type Outcome = S["ClaimOutcome"]["status"];

const STATUSES: ClaimStatus[] = ["draft", "ready", "submitted", "accepted", "rejected", "paid", "denied"];
// An adjudicated claim (paid, accepted, denied) is corrected by a replacement (7) or a void (8).
const NEXT: Partial<Record<ClaimStatus, Outcome[]>> = {
  submitted: ["accepted", "rejected", "paid", "denied"],
  accepted: ["rejected", "paid", "denied", "replaced", "voided"],
  paid: ["replaced", "voided"],
  denied: ["replaced", "voided"],
};
const RECORD_LABEL: Record<string, string> = {
  practice: "Business information",
  payer: "Payer",
  client: "Client",
  client_insurance: "Client's insurance",
  practitioner: "Practitioner",
  session: "Client session",
  authorization: "Authorization",
  location: "Location",
  claim: "Claim",
};

/** Where to fix a problem: the screen of the record scrubbing named. */
export function problemLink(problem: Problem, claim: Claim): string | null {
  switch (problem.record) {
    case "practice":
      return "/admin/practice";
    case "payer":
      return `/billing/payers?payer=${encodeURIComponent(problem.record_id)}`;
    case "client":
    case "client_insurance":
    case "authorization":
      return paths.client(claim.client_id);
    case "practitioner":
      return `/admin/users?user=${encodeURIComponent(problem.record_id)}`;
    case "session":
      return paths.session(claim.client_id, problem.record_id);
    case "location":
      return `/admin/locations?location=${encodeURIComponent(problem.record_id)}`;
    case "billing_code":
      return "/admin/billing-codes";
    default:
      return null;
  }
}

function downloadX12(exportId: string, icn: number, x12: string) {
  saveFile(new Blob([x12], { type: "application/edi-x12" }), `837P-${String(icn).padStart(9, "0")}-${exportId}.txt`);
}

function CreateClaims({ onCreated }: { onCreated: () => void }) {
  const today = todayIso();
  const [from, setFrom] = useState(addDays(today, -30));
  const [to, setTo] = useState(today);
  const [result, setResult] = useState<S["ClaimsCreated"] | null>(null);
  const action = useAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    setResult(null);
    const created = await action.run(() => ok(api().POST("/v1/claims", { body: { from, to } })));
    if (created) {
      setResult(created);
      onCreated();
    }
  }
  return (
    <section className="panel" aria-labelledby="create-title">
      <h2 id="create-title">Create claims</h2>
      <p className="muted small">From the client sessions billed to insurance with a date of service in these dates: one claim per client, payer, practitioner and day.</p>
      <form className="search-row" onSubmit={submit} noValidate>
        <Field label="Sessions from" name="body.from" problem={action.problem}>
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </Field>
        <Field label="Sessions to" name="body.to" problem={action.problem}>
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </Field>
        <button type="submit" disabled={action.busy}>
          {action.busy ? "Creating…" : "Create claims"}
        </button>
      </form>
      <ProblemBanner problem={action.problem} claimed={["body.from", "body.to"]} />
      {result ? (
        <div className={result.id === null ? "warning-box" : "success"} role="status">
          <p>
            {result.id === null
              ? result.skipped.length > 0
                ? "No claim created: every session in these dates was skipped."
                : "No claim created: no client session has a date of service in these dates."
              : `${result.claims.length} claim${result.claims.length === 1 ? "" : "s"} created: ${result.claims.filter((c) => c.status === "ready").length} ready, ${result.claims.filter((c) => c.status === "draft").length} with problems to fix.`}
          </p>
          {result.skipped.length > 0 ? (
            <details>
              <summary>{result.skipped.length} session(s) skipped</summary>
              <ul>
                {result.skipped.map((s) => (
                  <li key={s.session_id}>
                    <Link to={paths.session(s.client_id, s.session_id)}>{s.session_id}</Link>: {s.reason}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

function ExportPanel({ payers, onExported }: { payers: Payer[]; onExported: () => void }) {
  const [payerId, setPayerId] = useState("");
  const [done, setDone] = useState<S["ClaimExport"] | null>(null);
  const action = useAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    const exported = await action.run(() => ok(api().POST("/v1/claims/exports", { body: { payer_id: payerId } })));
    if (exported) {
      setDone(exported);
      onExported();
    }
  }
  return (
    <section className="panel" aria-labelledby="export-title">
      <h2 id="export-title">Export an 837P file</h2>
      <p className="muted small">Takes the payer's ready claims (up to 99), numbers the file and marks the claims submitted.</p>
      <form className="search-row" onSubmit={submit} noValidate>
        <Field label="Payer" name="body.payer_id" problem={action.problem}>
          <select value={payerId} onChange={(e) => setPayerId(e.target.value)}>
            <option value="">Choose a payer…</option>
            {payers.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
                {p.payer_id ? ` (${p.payer_id})` : ""}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" disabled={action.busy || !payerId}>
          {action.busy ? "Exporting…" : "Export 837P"}
        </button>
      </form>
      <ProblemBanner problem={action.problem} claimed={["body.payer_id"]} />
      {done ? (
        <div className="success" role="status">
          <p>
            Export {done.id}: {done.claim_ids.length} claim{done.claim_ids.length === 1 ? "" : "s"}, interchange control number {done.interchange_control_number}.
          </p>
          {done.left_out && done.left_out.length > 0 ? <p>{done.left_out.length} claim(s) left out: their records changed since the check; they are back in draft with their problems.</p> : null}
          <button type="button" onClick={() => downloadX12(done.id, done.interchange_control_number, done.x12)}>
            Download 837P file
          </button>
        </div>
      ) : null}
    </section>
  );
}

function OutcomeDialog({ claim, onClose, onSaved }: { claim: Claim; onClose: () => void; onSaved: (c: Claim) => void }) {
  const choices = NEXT[claim.status] ?? [];
  const [status, setStatus] = useState<Outcome>(choices[0] ?? "accepted");
  const [note, setNote] = useState("");
  const [reference, setReference] = useState("");
  const correcting = status === "replaced" || status === "voided";
  const action = useAction();
  async function submit() {
    const saved = await action.run(() =>
      ok(
        api().POST("/v1/claims/{claim_id}/status", {
          params: { path: { claim_id: claim.id }, header: { "If-Match": ifMatch(claim.version) } },
          body: {
            status,
            note: note || null,
            ...(status === "paid" || status === "denied" || status === "accepted" ? { payer_claim_number: reference || null } : {}),
            ...(correcting && reference ? { original_reference: reference } : {}),
          },
        }),
      ),
    );
    if (saved) onSaved(saved);
  }
  return (
    <FormDialog
      title={`Outcome of claim ${claim.patient_control_number}`}
      onClose={onClose}
      onSubmit={submit}
      problem={action.problem}
      claimed={["body.status", "body.note", "body.payer_claim_number", "body.original_reference"]}
      busy={action.busy}
      submitLabel="Record outcome"
    >
      <Field label="Outcome" name="body.status" problem={action.problem}>
        <select value={status} onChange={(e) => setStatus(e.target.value as Outcome)}>
          {choices.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </Field>
      {correcting ? (
        <Field label="Original claim reference (blank: the payer's claim number on record)" name="body.original_reference" problem={action.problem}>
          <input value={reference} onChange={(e) => setReference(e.target.value)} />
        </Field>
      ) : (
        <Field label="Payer's claim number" name="body.payer_claim_number" problem={action.problem}>
          <input value={reference} onChange={(e) => setReference(e.target.value)} />
        </Field>
      )}
      <Field label="Note" name="body.note" problem={action.problem}>
        <input value={note} onChange={(e) => setNote(e.target.value)} />
      </Field>
    </FormDialog>
  );
}

function ClaimCard({ claim, payerName, canBill, onChanged }: { claim: Claim; payerName: string; canBill: boolean; onChanged: () => void }) {
  const [current, setCurrent] = useState(claim);
  const [outcome, setOutcome] = useState(false);
  const action = useAction();
  async function check() {
    const checked = await action.run(() => ok(api().POST("/v1/claims/{claim_id}/check", { params: { path: { claim_id: current.id } } })));
    if (checked) setCurrent(checked);
  }
  async function remove() {
    if (!window.confirm("Delete this claim? Its sessions can go on a new claim.")) return;
    const gone = await action.run(() => ok(api().DELETE("/v1/claims/{claim_id}", { params: { path: { claim_id: current.id }, header: { "If-Match": ifMatch(current.version) } } })).then(() => true));
    if (gone) onChanged();
  }
  async function downloadAgain() {
    if (!current.export_id) return;
    const exported = await action.run(() => ok(api().GET("/v1/claims/exports/{export_id}", { params: { path: { export_id: current.export_id ?? "" } } })));
    if (exported) downloadX12(exported.id, exported.interchange_control_number, exported.x12);
  }
  const last = current.history[current.history.length - 1];
  return (
    <li className="claim-card" aria-labelledby={`claim-${current.id}`} data-testid={`claim-${current.id}`}>
      <div className="claim-head">
        <h3 id={`claim-${current.id}`}>
          <Link to={paths.client(current.client_id)}>Claim {current.patient_control_number}</Link>
        </h3>
        <span className={`status-badge claim-${current.status}`}>{current.status}</span>
      </div>
      <p className="muted small">
        {current.date_of_service} · {payerName} · {current.lines.map((l) => `${l.code}×${l.units}`).join(", ")} · total {current.total_charge}
        {current.prior_authorization_number ? ` · PA ${current.prior_authorization_number}` : ""}
        {last ? ` · ${last.status} ${last.at.replace("T", " ").slice(0, 16)} by ${last.by}${last.note ? ` (${last.note})` : ""}` : ""}
      </p>
      {current.problems.length > 0 ? (
        <div className="warning-box">
          <p>
            <strong>{current.problems.length} problem{current.problems.length === 1 ? "" : "s"} to fix before export:</strong>
          </p>
          <ul aria-label={`Problems of claim ${current.patient_control_number}`}>
            {current.problems.map((p, i) => {
              const to = problemLink(p, current);
              const label = `${RECORD_LABEL[p.record] ?? p.record}: ${p.field.replace(/_/g, " ")}`;
              return (
                <li key={`${p.record}-${p.record_id}-${p.field}-${i}`}>
                  {to ? <Link to={to}>{label}</Link> : label} — {p.reason}
                </li>
              );
            })}
          </ul>
        </div>
      ) : null}
      <ProblemBanner problem={action.problem} />
      {canBill ? (
        <div className="button-row">
          {current.status === "draft" || current.status === "ready" ? (
            <button type="button" className="secondary" disabled={action.busy} onClick={() => void check()}>
              Check again
            </button>
          ) : null}
          {NEXT[current.status] ? (
            <button type="button" className="secondary" onClick={() => setOutcome(true)}>
              Record outcome
            </button>
          ) : null}
          {current.export_id ? (
            <button type="button" className="secondary" disabled={action.busy} onClick={() => void downloadAgain()}>
              Download its 837P again
            </button>
          ) : null}
          {current.status === "draft" || current.status === "ready" ? (
            <button type="button" className="danger" disabled={action.busy} onClick={() => void remove()}>
              Delete
            </button>
          ) : null}
        </div>
      ) : null}
      {outcome ? (
        <OutcomeDialog
          claim={current}
          onClose={() => setOutcome(false)}
          onSaved={(c) => {
            setCurrent(c);
            setOutcome(false);
          }}
        />
      ) : null}
    </li>
  );
}

export default function ClaimsPage() {
  const { role } = useAuth();
  const canBill = role === "admin" || role === "billing";
  const [params, setParams] = useSearchParams();
  const status = (params.get("status") ?? "") as ClaimStatus | "";
  const [tick, setTick] = useState(0);
  const payers = useApi(() => allPages<Payer>((c) => ok(api().GET("/v1/payers", { params: { query: { limit: 100, cursor: c } } }))), []);
  const claims = usePaged((cursor) => ok(api().GET("/v1/claims", { params: { query: { status: status || undefined, limit: 50, cursor } } })), [status]);
  const payerName = (id: string | null | undefined) => payers.data?.find((p) => p.id === id)?.name ?? "no payer";
  const refresh = () => {
    setTick((t) => t + 1);
    claims.reload();
  };
  return (
    <>
      <PageHeader title="Claims">
        <p className="muted">
          <Link to="/billing/payers">Payers</Link> · <Link to="/billing/invoices">Invoices</Link>
        </p>
      </PageHeader>
      {canBill ? (
        <div className="grid-2">
          <CreateClaims onCreated={refresh} />
          <ExportPanel payers={payers.data ?? []} onExported={refresh} />
        </div>
      ) : null}
      <ProblemBanner problem={payers.problem} onRetry={payers.reload} />
      <section aria-labelledby="list-title">
        <h2 id="list-title">Claims</h2>
        <div className="search-row">
          <Field label="Status">
            <select value={status} onChange={(e) => setParams(e.target.value ? { status: e.target.value } : {})}>
              <option value="">Every status</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <ProblemBanner problem={claims.problem} onRetry={claims.reload} />
        {claims.loading && !claims.data ? <Loading label="Loading claims…" /> : null}
        {claims.data && claims.data.items.length === 0 ? <EmptyState title={status ? `No ${status} claims.` : "No claims yet."}>Create claims from sessions above.</EmptyState> : null}
        {claims.data && claims.data.items.length > 0 ? (
          <ul className="claim-list" key={`${status}-${tick}-${claims.cursor ?? ""}`}>
            {claims.data.items.map((c) => (
              <ClaimCard key={`${c.id}-${c.version}`} claim={c} payerName={payerName(c.payer_id)} canBill={canBill} onChanged={refresh} />
            ))}
          </ul>
        ) : null}
        <NextPageButton page={claims} />
      </section>
    </>
  );
}
