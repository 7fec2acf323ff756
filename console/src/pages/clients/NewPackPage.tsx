import { useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, ok } from "../../api/client";
import { ApiProblem, asProblem } from "../../api/problem";
import { usePackTemplates, useReference } from "../../api/reference";
import type { components } from "../../api/schema";
import { Field, Loading, PageHeader, ProblemBanner } from "../../components";
import { paths } from "../../routes";
import { CodeRuleFields, type CodeRule } from "./CodeRuleFields";

type PackCreate = components["schemas"]["PackCreate"];
type Measure = NonNullable<PackCreate["measure"]>;

// The template picker's choice for a pack set up here, without a template (the API then needs
// name, measure, limit and price).
const CUSTOM = "custom";
const CLAIMED = [
  "body.template_id", "body.name", "body.measure", "body.limit", "body.price", "body.purchased_on", "body.validity",
  "body.codes", "body.categories", "body.charge_no_shows", "body.charge_late_cancels", "body.auto_renew",
];
const LIMIT_HINT: Record<Measure, string> = {
  sessions: "Number of sessions.",
  minutes: "Number of minutes (e.g. 600 for ten hours).",
  money: "The budget in the practice currency, e.g. 3000.00.",
};

export default function NewPackPage() {
  const { clientId = "" } = useParams();
  const navigate = useNavigate();
  const templates = usePackTemplates();
  const reference = useReference();
  const [templateId, setTemplateId] = useState("");
  const [form, setForm] = useState({ name: "", limit: "", price: "", purchased_on: "", charge_no_shows: false, charge_late_cancels: false, auto_renew: false });
  // Only for a pack without a template (a template brings its own).
  const [custom, setCustom] = useState({ measure: "sessions" as Measure, validFor: "", validUnit: "months" as "days" | "months", validFrom: "purchase" as "purchase" | "first_use", category: "" });
  const [codes, setCodes] = useState<CodeRule>({ mode: "all_except", codes: [] });
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const active = (templates.data ?? []).filter((t) => t.active);
  const template = active.find((t) => t.id === templateId);
  const isCustom = templateId === CUSTOM;

  function pick(id: string) {
    setTemplateId(id);
    const t = active.find((x) => x.id === id);
    if (t) setForm((f) => ({ ...f, name: t.name, limit: t.quantity, price: t.price }));
  }

  function body(): PackCreate | null {
    const shared = {
      purchased_on: form.purchased_on || null,
      charge_no_shows: form.charge_no_shows,
      charge_late_cancels: form.charge_late_cancels,
    };
    if (template) {
      return {
        template_id: template.id,
        // Only what differs from the template is sent, so the template stays the source.
        ...(form.name !== template.name ? { name: form.name } : {}),
        ...(form.limit !== template.quantity ? { limit: form.limit } : {}),
        ...(form.price !== template.price ? { price: form.price } : {}),
        ...shared,
        auto_renew: form.auto_renew,
      };
    }
    if (isCustom) {
      const category = custom.category.trim();
      return {
        // Blank fields go as null so the API names each one missing.
        name: form.name.trim() || null,
        measure: custom.measure,
        limit: form.limit.trim() || null,
        price: form.price.trim() || null,
        // An unreadable number goes as null so the API names body.validity.amount.
        validity: custom.validFor.trim() ? { amount: Number(custom.validFor), unit: custom.validUnit, starts: custom.validFrom } : null,
        codes,
        categories: category ? [{ name: category, percent: 100 }] : null,
        ...shared,
      };
    }
    return null;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const request = body();
    if (!request) {
      setProblem(new ApiProblem(422, { title: "Choose a template", errors: [{ field: "body.template_id", reason: "choose a pack template, or “No template”" }] }));
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const pack = await ok(api().POST("/v1/clients/{client_id}/packs", { params: { path: { client_id: clientId } }, body: request }));
      navigate(paths.client(clientId), { state: { flash: `Pack “${pack.name}” created: used ${pack.used} of ${pack.limit}, ${pack.remaining} left.` } });
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }

  if (templates.loading && !templates.data) return <Loading label="Loading pack templates…" />;
  return (
    <>
      <PageHeader title="New pack" actions={<Link className="button secondary" to={paths.client(clientId)}>Back to client</Link>} />
      <ProblemBanner problem={templates.problem} onRetry={templates.reload} />
      <form className="panel" onSubmit={submit} noValidate aria-label="New pack">
        <ProblemBanner problem={problem} claimed={CLAIMED} />
        <Field
          label="Template"
          name="body.template_id"
          problem={problem}
          hint={templates.data && active.length === 0 ? "No active pack templates yet: an administrator or billing user creates them. A pack can still be set up here without one." : undefined}
        >
          <select value={templateId} onChange={(e) => pick(e.target.value)}>
            <option value="">Choose a template</option>
            {active.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name} · {t.quantity} {t.measure} · {t.price}
              </option>
            ))}
            <option value={CUSTOM}>No template: set the pack up here</option>
          </select>
        </Field>
        {template || isCustom ? (
          <>
            <div className="form-grid">
              <Field label="Name" name="body.name" problem={problem}>
                <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
              </Field>
              {isCustom ? (
                <Field label="Counts" name="body.measure" problem={problem}>
                  <select value={custom.measure} onChange={(e) => setCustom({ ...custom, measure: e.target.value as Measure })}>
                    <option value="sessions">Sessions</option>
                    <option value="minutes">Minutes (hours)</option>
                    <option value="money">Money (a budget)</option>
                  </select>
                </Field>
              ) : null}
              <Field
                label="Limit"
                name="body.limit"
                problem={problem}
                hint={template ? `The template's is ${template.quantity} ${template.measure}; lower it for sessions already used elsewhere.` : LIMIT_HINT[custom.measure]}
              >
                <input inputMode="decimal" value={form.limit} onChange={(e) => setForm({ ...form, limit: e.target.value })} />
              </Field>
              <Field label="Price" name="body.price" problem={problem} hint={isCustom ? "What the client or funder pays, e.g. 600.00." : undefined}>
                <input inputMode="decimal" value={form.price} onChange={(e) => setForm({ ...form, price: e.target.value })} />
              </Field>
              {/* Empty: the API takes today in the practice's time zone (the browser's may differ). */}
              <Field label="Purchased on" name="body.purchased_on" problem={problem} hint="Empty: today.">
                <input type="date" value={form.purchased_on} onChange={(e) => setForm({ ...form, purchased_on: e.target.value })} />
              </Field>
              {isCustom ? (
                <>
                  <Field label="Valid for" name="body.validity.amount" problem={problem} hint="Empty: the pack does not expire.">
                    <input inputMode="numeric" value={custom.validFor} onChange={(e) => setCustom({ ...custom, validFor: e.target.value })} />
                  </Field>
                  <Field label="Validity in" name="body.validity.unit" problem={problem}>
                    <select value={custom.validUnit} onChange={(e) => setCustom({ ...custom, validUnit: e.target.value as "days" | "months" })}>
                      <option value="months">Months</option>
                      <option value="days">Days</option>
                    </select>
                  </Field>
                  <Field label="Validity counted from" name="body.validity.starts" problem={problem}>
                    <select value={custom.validFrom} onChange={(e) => setCustom({ ...custom, validFrom: e.target.value as "purchase" | "first_use" })}>
                      <option value="purchase">The purchase</option>
                      <option value="first_use">The first session</option>
                    </select>
                  </Field>
                  <Field label="Sales category" name="body.categories" problem={problem} hint="Optional; the whole price is reported under it in pack sales by category.">
                    <input value={custom.category} onChange={(e) => setCustom({ ...custom, category: e.target.value })} />
                  </Field>
                </>
              ) : null}
            </div>
            {isCustom ? (
              reference.data ? (
                <CodeRuleFields value={codes} onChange={setCodes} billingCodes={reference.data.billingCodes} name="body.codes" problem={problem} />
              ) : reference.problem ? (
                <ProblemBanner problem={reference.problem} onRetry={reference.reload} />
              ) : (
                <Loading label="Loading billing codes…" />
              )
            ) : null}
            <label className="check">
              <input type="checkbox" checked={form.charge_no_shows} onChange={(e) => setForm({ ...form, charge_no_shows: e.target.checked })} /> Charge no-shows
            </label>
            <label className="check">
              <input type="checkbox" checked={form.charge_late_cancels} onChange={(e) => setForm({ ...form, charge_late_cancels: e.target.checked })} /> Charge late cancels
            </label>
            {template ? (
              <label className="check">
                <input type="checkbox" checked={form.auto_renew} onChange={(e) => setForm({ ...form, auto_renew: e.target.checked })} /> Open the next pack when used up
              </label>
            ) : null}
          </>
        ) : null}
        <div className="button-row">
          <button type="submit" disabled={busy}>
            Create pack
          </button>
        </div>
      </form>
    </>
  );
}
