import { useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, ok } from "../../api/client";
import { useReference } from "../../api/reference";
import { Field, Loading, PageHeader, ProblemBanner } from "../../components";
import { paths } from "../../routes";
import { useAction } from "../admin/useAction";

const CLAIMED = ["body.payer", "body.measure", "body.begin_on", "body.end_on", "body.allowed", "body.number", "body.codes"];

export default function NewAuthorizationPage() {
  const { clientId = "" } = useParams();
  const navigate = useNavigate();
  const reference = useReference();
  const [form, setForm] = useState({ payer: "", measure: "sessions" as "sessions" | "units", begin_on: "", end_on: "", allowed: "", number: "" });
  const [mode, setMode] = useState<"all_except" | "only">("all_except");
  const [codes, setCodes] = useState<string[]>([]);
  const { problem, busy, run } = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const auth = await run(() =>
      ok(
        api().POST("/v1/clients/{client_id}/authorizations", {
          params: { path: { client_id: clientId } },
          body: { ...form, number: form.number || null, codes: { mode, codes } },
        }),
      ),
    );
    if (auth) navigate(paths.client(clientId), { state: { flash: `Authorization from ${auth.payer} created: ${auth.allowed} ${auth.measure} until ${auth.end_on}.` } });
  }
  if (reference.loading) return <Loading />;
  const billingCodes = reference.data?.billingCodes ?? [];
  return (
    <>
      <PageHeader title="New authorization" actions={<Link className="button secondary" to={paths.client(clientId)}>Back to client</Link>} />
      <ProblemBanner problem={reference.problem} onRetry={reference.reload} />
      <form className="panel" onSubmit={submit} noValidate aria-label="New authorization">
        <ProblemBanner problem={problem} claimed={CLAIMED} />
        <div className="form-grid">
          <Field label="Payer" name="body.payer" problem={problem}>
            <input value={form.payer} onChange={(e) => setForm({ ...form, payer: e.target.value })} />
          </Field>
          <Field label="Authorization number" name="body.number" problem={problem} hint="Optional; written on each counted session's claim">
            <input value={form.number} onChange={(e) => setForm({ ...form, number: e.target.value })} />
          </Field>
          <Field label="Counts" name="body.measure" problem={problem}>
            <select value={form.measure} onChange={(e) => setForm({ ...form, measure: e.target.value as "sessions" | "units" })}>
              <option value="sessions">Sessions</option>
              <option value="units">Units (minutes ÷ the code's unit length)</option>
            </select>
          </Field>
          <Field label="Allowed" name="body.allowed" problem={problem}>
            <input inputMode="decimal" value={form.allowed} onChange={(e) => setForm({ ...form, allowed: e.target.value })} />
          </Field>
          <Field label="Begins on" name="body.begin_on" problem={problem}>
            <input type="date" value={form.begin_on} onChange={(e) => setForm({ ...form, begin_on: e.target.value })} />
          </Field>
          <Field label="Ends on" name="body.end_on" problem={problem}>
            <input type="date" value={form.end_on} onChange={(e) => setForm({ ...form, end_on: e.target.value })} />
          </Field>
        </div>
        <fieldset>
          <legend>Which billing codes count</legend>
          <label className="check">
            <input type="radio" name="mode" checked={mode === "all_except"} onChange={() => setMode("all_except")} /> Any session except the codes ticked
          </label>
          <label className="check">
            <input type="radio" name="mode" checked={mode === "only"} onChange={() => setMode("only")} /> Only the codes ticked
          </label>
          <div className="form-grid" role="group" aria-label="Billing codes">
            {billingCodes.map((c) => (
              <label key={c.code} className="check">
                <input
                  type="checkbox"
                  checked={codes.includes(c.code)}
                  onChange={(e) => setCodes((cs) => (e.target.checked ? [...cs, c.code] : cs.filter((x) => x !== c.code)))}
                />
                {c.code} · {c.description}
              </label>
            ))}
          </div>
          {problem?.errorFor("body.codes") ? <p className="field-error">{problem.errorFor("body.codes")}</p> : null}
        </fieldset>
        <div className="button-row">
          <button type="submit" disabled={busy}>
            Create authorization
          </button>
        </div>
      </form>
    </>
  );
}
