import { useEffect, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, ifMatch, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { asProblem, type ApiProblem } from "../../api/problem";
import { useReference } from "../../api/reference";
import type { ChargeResult, ClientSession, SessionCreate } from "../../api/types";
import { Field, Loading, PageHeader, ProblemBanner } from "../../components";
import { todayIso } from "../../lib/dates";
import { paths } from "../../routes";
import { ChargeSummary } from "../frontdesk/ChargeSummary";

type Form = {
  date_of_service: string;
  billing_code: string;
  minutes: string;
  fee: string;
  location_id: string;
  place_of_service: string;
  primary_diagnosis: string;
  additional_diagnoses: [string, string, string];
  bill_to: "automatic" | "client";
  paid_amount: string;
  paid_method: "" | "cash" | "card" | "eftpos" | "check" | "bank_transfer" | "other";
  modifiers: [string, string, string, string];
  additional_dates: string;
  ref_first: string;
  ref_last: string;
  ref_npi: string;
  line_note: string;
  resubmission_code: "" | "7" | "8";
  original_claim_reference: string;
  comments: string;
  add_on_codes: string[];
};

const EMPTY: Form = {
  date_of_service: todayIso(), billing_code: "", minutes: "", fee: "", location_id: "", place_of_service: "",
  primary_diagnosis: "", additional_diagnoses: ["", "", ""], bill_to: "automatic", paid_amount: "", paid_method: "",
  modifiers: ["", "", "", ""], additional_dates: "", ref_first: "", ref_last: "", ref_npi: "", line_note: "",
  resubmission_code: "", original_claim_reference: "", comments: "", add_on_codes: [],
};

function fromSession(s: ClientSession): Form {
  const dx = s.additional_diagnoses ?? [];
  const mods = s.modifiers ?? [];
  return {
    date_of_service: s.date_of_service, billing_code: s.billing_code, minutes: String(s.minutes), fee: s.fee,
    location_id: s.location_id ?? "", place_of_service: s.place_of_service ?? "",
    primary_diagnosis: s.primary_diagnosis ?? "", additional_diagnoses: [dx[0] ?? "", dx[1] ?? "", dx[2] ?? ""],
    bill_to: s.bill_to ?? "automatic", paid_amount: s.paid_at_session?.amount ?? "", paid_method: s.paid_at_session?.method ?? "",
    modifiers: [mods[0] ?? "", mods[1] ?? "", mods[2] ?? "", mods[3] ?? ""], additional_dates: (s.additional_dates ?? []).join(", "),
    ref_first: s.referring_provider?.first_name ?? "", ref_last: s.referring_provider?.last_name ?? "", ref_npi: s.referring_provider?.npi ?? "",
    line_note: s.line_note ?? "", resubmission_code: (s.resubmission_code as Form["resubmission_code"]) ?? "",
    original_claim_reference: s.original_claim_reference ?? "", comments: s.comments ?? "", add_on_codes: s.add_on_codes ?? [],
  };
}

function toBody(f: Form): SessionCreate {
  const referring = f.ref_first || f.ref_last || f.ref_npi ? { first_name: f.ref_first, last_name: f.ref_last, npi: f.ref_npi } : null;
  return {
    date_of_service: f.date_of_service,
    billing_code: f.billing_code,
    minutes: f.minutes === "" ? null : Number(f.minutes),
    fee: f.fee || null,
    location_id: f.location_id || null,
    place_of_service: f.place_of_service || null,
    primary_diagnosis: f.primary_diagnosis || null,
    additional_diagnoses: f.additional_diagnoses.filter(Boolean),
    bill_to: f.bill_to,
    paid_at_session: f.paid_amount || f.paid_method ? { amount: f.paid_amount, method: (f.paid_method || "other") as NonNullable<SessionCreate["paid_at_session"]>["method"] } : null,
    modifiers: f.modifiers.filter(Boolean),
    additional_dates: f.additional_dates.split(/[\s,]+/).filter(Boolean),
    referring_provider: referring,
    line_note: f.line_note || null,
    resubmission_code: f.resubmission_code || null,
    original_claim_reference: f.original_claim_reference || null,
    comments: f.comments || null,
    add_on_codes: f.add_on_codes,
  };
}

export default function SessionPage() {
  const { clientId = "", sessionId } = useParams();
  const navigate = useNavigate();
  const reference = useReference();
  const existing = useApi(
    () => (sessionId ? ok(api().GET("/v1/clients/{client_id}/sessions/{session_id}", { params: { path: { client_id: clientId, session_id: sessionId } } })) : Promise.resolve(null)),
    [clientId, sessionId],
  );
  const [form, setForm] = useState<Form>(EMPTY);
  const [loadedFor, setLoadedFor] = useState<string | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<{ session: ClientSession; charge: ChargeResult | null } | null>(null);
  const session = saved?.session ?? existing.data ?? null;

  // Fill the form once per loaded session (a render-time sync, not an effect chain).
  if (existing.data && loadedFor !== `${existing.data.id}:${existing.data.version}` && !saved) {
    setLoadedFor(`${existing.data.id}:${existing.data.version}`);
    setForm(fromSession(existing.data));
  }
  const codes = reference.data?.billingCodes ?? [];
  const primaryCodes = codes.filter((c) => !c.add_on);
  const addOnCodes = codes.filter((c) => c.add_on);
  useEffect(() => {
    document.title = sessionId ? "Client session · Caseload" : "New client session · Caseload";
  }, [sessionId]);

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));
  function chooseCode(code: string) {
    // Changing the code resets length and charge from the code; both stay editable.
    const c = codes.find((x) => x.code === code);
    setForm((f) => ({ ...f, billing_code: code, minutes: c ? String(c.default_minutes) : f.minutes, fee: c ? c.default_charge : f.fee }));
  }

  async function save(thenNote: boolean) {
    setBusy(true);
    setProblem(null);
    try {
      const body = toBody(form);
      const result = session
        ? await ok(
            api().PATCH("/v1/clients/{client_id}/sessions/{session_id}", {
              params: { path: { client_id: clientId, session_id: session.id }, header: { "If-Match": ifMatch(session.version) } },
              body,
            }),
          )
        : await ok(api().POST("/v1/clients/{client_id}/sessions", { params: { path: { client_id: clientId } }, body }));
      if (thenNote) {
        navigate(paths.sessionNote(clientId, result.session.id));
        return;
      }
      setSaved({ session: result.session, charge: result.charge ?? null });
      setForm(fromSession(result.session));
      if (!sessionId) navigate(paths.session(clientId, result.session.id), { replace: true });
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    void save(false);
  }

  if (reference.loading || (sessionId && existing.loading && !existing.data)) return <Loading label="Loading session…" />;
  if (sessionId && existing.problem && !existing.data) {
    return (
      <>
        <PageHeader title="Client session" />
        <ProblemBanner problem={existing.problem} onRetry={existing.reload} />
      </>
    );
  }
  const claimed = [
    "body.date_of_service", "body.billing_code", "body.minutes", "body.fee", "body.location_id", "body.place_of_service",
    "body.primary_diagnosis", "body.additional_diagnoses", "body.bill_to", "body.paid_at_session", "body.modifiers",
    "body.additional_dates", "body.referring_provider", "body.line_note", "body.resubmission_code",
    "body.original_claim_reference", "body.comments", "body.add_on_codes",
  ];
  return (
    <>
      <PageHeader title={sessionId ? "Client session" : "New client session"} actions={<Link className="button secondary" to={paths.client(clientId)}>Back to client</Link>} />
      {saved ? (
        <div className="success" role="status">
          <p style={{ margin: 0 }}>Session saved.</p>
          <ChargeSummary charge={saved.charge} />
        </div>
      ) : null}
      {session ? (
        <p className={session.authorization_warning ? "warning-box" : "muted"}>
          {session.prior_authorization_number ? `Prior authorization number: ${session.prior_authorization_number}` : null}
          {session.authorization_warning ? `Authorization: ${session.authorization_warning}` : null}
          {!session.prior_authorization_number && !session.authorization_warning ? "No prior authorization number." : null}
        </p>
      ) : null}
      <form className="panel" onSubmit={onSubmit} noValidate aria-label="Client session">
        <ProblemBanner problem={problem} claimed={claimed} />
        <fieldset>
          <legend>Service</legend>
          <div className="form-grid">
            <Field label="Date of service" name="body.date_of_service" problem={problem}>
              <input type="date" value={form.date_of_service} onChange={(e) => set("date_of_service", e.target.value)} />
            </Field>
            <Field label="Billing code" name="body.billing_code" problem={problem} hint="Changing it resets length and charge">
              <select value={form.billing_code} onChange={(e) => chooseCode(e.target.value)}>
                <option value="">Choose a code</option>
                {primaryCodes.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.code} · {c.description}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Minutes" name="body.minutes" problem={problem}>
              <input type="number" min={0} value={form.minutes} onChange={(e) => set("minutes", e.target.value)} />
            </Field>
            <Field label="Fee" name="body.fee" problem={problem}>
              <input inputMode="decimal" value={form.fee} onChange={(e) => set("fee", e.target.value)} />
            </Field>
            <Field label="Location" name="body.location_id" problem={problem}>
              <select value={form.location_id} onChange={(e) => set("location_id", e.target.value)}>
                <option value="">None</option>
                {(reference.data?.locations ?? []).map((l) => (
                  <option key={l.id} value={l.id}>
                    {l.name} (POS {l.place_of_service})
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Place of service" name="body.place_of_service" problem={problem} hint="Two digits; empty: from the location, else 11 Office">
              <input value={form.place_of_service} maxLength={2} onChange={(e) => set("place_of_service", e.target.value)} />
            </Field>
          </div>
          <fieldset>
            <legend>Add-on codes (up to 4)</legend>
            {addOnCodes.length === 0 ? <p className="muted small">No add-on codes in the catalogue.</p> : null}
            {addOnCodes.map((c) => (
              <label key={c.code} className="check">
                <input
                  type="checkbox"
                  checked={form.add_on_codes.includes(c.code)}
                  onChange={(e) => set("add_on_codes", e.target.checked ? [...form.add_on_codes, c.code] : form.add_on_codes.filter((x) => x !== c.code))}
                />
                {c.code} · {c.description}
              </label>
            ))}
            {problem?.errorFor("body.add_on_codes") ? <p className="field-error">{problem.errorFor("body.add_on_codes")}</p> : null}
          </fieldset>
        </fieldset>
        <fieldset>
          <legend>Diagnoses (ICD-10)</legend>
          <div className="form-grid">
            <Field label="Primary diagnosis" name="body.primary_diagnosis" problem={problem}>
              <input value={form.primary_diagnosis} onChange={(e) => set("primary_diagnosis", e.target.value.toUpperCase())} />
            </Field>
            {[0, 1, 2].map((i) => (
              <Field key={i} label={`Additional diagnosis ${i + 1}`} name={`body.additional_diagnoses.${i}`} problem={problem}>
                <input
                  value={form.additional_diagnoses[i]}
                  onChange={(e) => {
                    const next = [...form.additional_diagnoses] as Form["additional_diagnoses"];
                    next[i] = e.target.value.toUpperCase();
                    set("additional_diagnoses", next);
                  }}
                />
              </Field>
            ))}
          </div>
          {problem?.fieldErrors["body.additional_diagnoses"] ? <p className="field-error">{problem.fieldErrors["body.additional_diagnoses"]}</p> : null}
        </fieldset>
        <fieldset>
          <legend>Billing</legend>
          <div className="form-grid">
            <Field label="Bill to" name="body.bill_to" problem={problem} hint="Client directly: not counted against insurance, never a claim">
              <select value={form.bill_to} onChange={(e) => set("bill_to", e.target.value as Form["bill_to"])}>
                <option value="automatic">Automatic</option>
                <option value="client">Client directly (bypass insurance)</option>
              </select>
            </Field>
            <Field label="Paid at session: amount" name="body.paid_at_session.amount" problem={problem}>
              <input inputMode="decimal" value={form.paid_amount} onChange={(e) => set("paid_amount", e.target.value)} />
            </Field>
            <Field label="Paid at session: method" name="body.paid_at_session.method" problem={problem}>
              <select value={form.paid_method} onChange={(e) => set("paid_method", e.target.value as Form["paid_method"])}>
                <option value="">Not paid</option>
                <option value="cash">Cash</option>
                <option value="card">Card</option>
                <option value="eftpos">EFTPOS</option>
                <option value="check">Check</option>
                <option value="bank_transfer">Bank transfer</option>
                <option value="other">Other</option>
              </select>
            </Field>
            {[0, 1, 2, 3].map((i) => (
              <Field key={i} label={`Modifier ${i + 1}`} name={`body.modifiers.${i}`} problem={problem}>
                <input
                  value={form.modifiers[i]}
                  maxLength={2}
                  onChange={(e) => {
                    const next = [...form.modifiers] as Form["modifiers"];
                    next[i] = e.target.value.toUpperCase();
                    set("modifiers", next);
                  }}
                />
              </Field>
            ))}
            <Field label="Additional dates of service" name="body.additional_dates" problem={problem} hint="YYYY-MM-DD, separated by commas">
              <input value={form.additional_dates} onChange={(e) => set("additional_dates", e.target.value)} />
            </Field>
          </div>
        </fieldset>
        <fieldset>
          <legend>Referring provider (all three together)</legend>
          <div className="form-grid">
            <Field label="Referring provider first name" name="body.referring_provider.first_name" problem={problem}>
              <input value={form.ref_first} onChange={(e) => set("ref_first", e.target.value)} />
            </Field>
            <Field label="Referring provider last name" name="body.referring_provider.last_name" problem={problem}>
              <input value={form.ref_last} onChange={(e) => set("ref_last", e.target.value)} />
            </Field>
            <Field label="Referring provider NPI" name="body.referring_provider.npi" problem={problem}>
              <input inputMode="numeric" maxLength={10} value={form.ref_npi} onChange={(e) => set("ref_npi", e.target.value)} />
            </Field>
          </div>
          {problem?.fieldErrors["body.referring_provider"] ? <p className="field-error">{problem.fieldErrors["body.referring_provider"]}</p> : null}
        </fieldset>
        <fieldset>
          <legend>Claim</legend>
          <div className="form-grid">
            <Field label="Line note" name="body.line_note" problem={problem} hint="Free text for electronic claims">
              <input value={form.line_note} onChange={(e) => set("line_note", e.target.value)} />
            </Field>
            <Field label="Resubmission code" name="body.resubmission_code" problem={problem}>
              <select value={form.resubmission_code} onChange={(e) => set("resubmission_code", e.target.value as Form["resubmission_code"])}>
                <option value="">None (original claim)</option>
                <option value="7">7 · Replacement</option>
                <option value="8">8 · Void</option>
              </select>
            </Field>
            <Field label="Original claim reference" name="body.original_claim_reference" problem={problem}>
              <input value={form.original_claim_reference} onChange={(e) => set("original_claim_reference", e.target.value)} />
            </Field>
          </div>
          <Field label="Comments" name="body.comments" problem={problem}>
            <textarea value={form.comments} onChange={(e) => set("comments", e.target.value)} />
          </Field>
        </fieldset>
        <div className="button-row">
          <button type="submit" disabled={busy}>
            Save
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={() => void save(true)}>
            Save and add note
          </button>
        </div>
      </form>
    </>
  );
}
