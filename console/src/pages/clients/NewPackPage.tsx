import { useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, ok } from "../../api/client";
import { ApiProblem, asProblem } from "../../api/problem";
import { usePackTemplates } from "../../api/reference";
import { EmptyState, Field, Loading, PageHeader, ProblemBanner } from "../../components";
import { todayIso } from "../../lib/dates";
import { paths } from "../../routes";

const CLAIMED = ["body.template_id", "body.name", "body.limit", "body.price", "body.purchased_on", "body.charge_no_shows", "body.charge_late_cancels", "body.auto_renew"];

export default function NewPackPage() {
  const { clientId = "" } = useParams();
  const navigate = useNavigate();
  const templates = usePackTemplates();
  const [templateId, setTemplateId] = useState("");
  const [form, setForm] = useState({ name: "", limit: "", price: "", purchased_on: todayIso(), charge_no_shows: false, charge_late_cancels: false, auto_renew: false });
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const active = (templates.data ?? []).filter((t) => t.active);
  const template = active.find((t) => t.id === templateId);

  function pick(id: string) {
    setTemplateId(id);
    const t = active.find((x) => x.id === id);
    if (t) setForm((f) => ({ ...f, name: t.name, limit: t.quantity, price: t.price }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!template) {
      setProblem(new ApiProblem(422, { title: "Choose a template", errors: [{ field: "body.template_id", reason: "choose a pack template" }] }));
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const pack = await ok(
        api().POST("/v1/clients/{client_id}/packs", {
          params: { path: { client_id: clientId } },
          body: {
            template_id: template.id,
            // Only what differs from the template is sent, so the template stays the source.
            ...(form.name !== template.name ? { name: form.name } : {}),
            ...(form.limit !== template.quantity ? { limit: form.limit } : {}),
            ...(form.price !== template.price ? { price: form.price } : {}),
            purchased_on: form.purchased_on || null,
            charge_no_shows: form.charge_no_shows,
            charge_late_cancels: form.charge_late_cancels,
            auto_renew: form.auto_renew,
          },
        }),
      );
      navigate(paths.client(clientId), { state: { flash: `Pack “${pack.name}” created: used ${pack.used} of ${pack.limit}, ${pack.remaining} left.` } });
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader title="New pack" actions={<Link className="button secondary" to={paths.client(clientId)}>Back to client</Link>} />
      <ProblemBanner problem={templates.problem} onRetry={templates.reload} />
      {templates.loading ? <Loading label="Loading pack templates…" /> : null}
      {templates.data && active.length === 0 ? <EmptyState title="No active pack templates.">An administrator or billing user creates them first.</EmptyState> : null}
      {active.length > 0 ? (
        <form className="panel" onSubmit={submit} noValidate aria-label="New pack">
          <ProblemBanner problem={problem} claimed={CLAIMED} />
          <Field label="Template" name="body.template_id" problem={problem}>
            <select value={templateId} onChange={(e) => pick(e.target.value)}>
              <option value="">Choose a template</option>
              {active.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} · {t.quantity} {t.measure} · {t.price}
                </option>
              ))}
            </select>
          </Field>
          {template ? (
            <>
              <div className="form-grid">
                <Field label="Name" name="body.name" problem={problem}>
                  <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
                </Field>
                <Field label="Limit" name="body.limit" problem={problem} hint={`The template's is ${template.quantity} ${template.measure}; lower it for sessions already used elsewhere.`}>
                  <input inputMode="decimal" value={form.limit} onChange={(e) => setForm({ ...form, limit: e.target.value })} />
                </Field>
                <Field label="Price" name="body.price" problem={problem}>
                  <input inputMode="decimal" value={form.price} onChange={(e) => setForm({ ...form, price: e.target.value })} />
                </Field>
                <Field label="Purchased on" name="body.purchased_on" problem={problem}>
                  <input type="date" value={form.purchased_on} onChange={(e) => setForm({ ...form, purchased_on: e.target.value })} />
                </Field>
              </div>
              <label className="check">
                <input type="checkbox" checked={form.charge_no_shows} onChange={(e) => setForm({ ...form, charge_no_shows: e.target.checked })} /> Charge no-shows
              </label>
              <label className="check">
                <input type="checkbox" checked={form.charge_late_cancels} onChange={(e) => setForm({ ...form, charge_late_cancels: e.target.checked })} /> Charge late cancels
              </label>
              <label className="check">
                <input type="checkbox" checked={form.auto_renew} onChange={(e) => setForm({ ...form, auto_renew: e.target.checked })} /> Open the next pack when used up
              </label>
            </>
          ) : null}
          <div className="button-row">
            <button type="submit" disabled={busy}>
              Create pack
            </button>
          </div>
        </form>
      ) : null}
    </>
  );
}
