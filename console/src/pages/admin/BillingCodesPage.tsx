/** /admin/billing-codes — CPT/HCPCS or local item numbers with default length and charge, the
 * unit length for unit-based billing, and the add-on flag (admins and billing staff edit). */
import { useState, type FormEvent } from "react";
import { allPages, api, ifMatch, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { refreshReference } from "../../api/reference";
import type { BillingCode } from "../../api/types";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable, Dialog, EmptyState, Field, Loading, PageHeader, ProblemBanner } from "../../components";
import { useAction } from "./useAction";

function CodeDialog({ code, onClose, onSaved }: { code: BillingCode | null; onClose: () => void; onSaved: () => void }) {
  const [form, setForm] = useState({
    code: code?.code ?? "",
    description: code?.description ?? "",
    default_minutes: code ? String(code.default_minutes) : "",
    default_charge: code?.default_charge ?? "",
    unit_minutes: code?.unit_minutes ? String(code.unit_minutes) : "",
    add_on: code?.add_on ?? false,
    active: code?.active ?? true,
  });
  const action = useAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    const common = {
      description: form.description,
      default_minutes: Number(form.default_minutes),
      default_charge: form.default_charge,
      unit_minutes: form.unit_minutes ? Number(form.unit_minutes) : null,
      add_on: form.add_on,
      active: form.active,
    };
    const saved = await action.run(() =>
      code
        ? ok(api().PATCH("/v1/billing-codes/{code}", { params: { path: { code: code.code }, header: { "If-Match": ifMatch(code.version) } }, body: common }))
        : ok(api().POST("/v1/billing-codes", { body: { ...common, code: form.code } })),
    );
    if (saved) {
      refreshReference();
      onSaved();
    }
  }
  return (
    <Dialog open title={code ? `Edit ${code.code}` : "New billing code"} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <ProblemBanner problem={action.problem} claimed={["body.code", "body.description", "body.default_minutes", "body.default_charge", "body.unit_minutes"]} />
        <Field label="Code" name="body.code" problem={action.problem}>
          <input value={form.code} disabled={Boolean(code)} onChange={(e) => setForm({ ...form, code: e.target.value })} />
        </Field>
        <Field label="Description" name="body.description" problem={action.problem}>
          <input value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
        </Field>
        <div className="form-grid">
          <Field label="Default minutes" name="body.default_minutes" problem={action.problem}>
            <input type="number" min={0} value={form.default_minutes} onChange={(e) => setForm({ ...form, default_minutes: e.target.value })} />
          </Field>
          <Field label="Default charge" name="body.default_charge" problem={action.problem}>
            <input inputMode="decimal" value={form.default_charge} onChange={(e) => setForm({ ...form, default_charge: e.target.value })} />
          </Field>
          <Field label="Unit minutes (unit-based billing)" name="body.unit_minutes" problem={action.problem}>
            <input type="number" min={1} value={form.unit_minutes} onChange={(e) => setForm({ ...form, unit_minutes: e.target.value })} />
          </Field>
        </div>
        <label className="check">
          <input type="checkbox" checked={form.add_on} onChange={(e) => setForm({ ...form, add_on: e.target.checked })} />
          Add-on code
        </label>
        <label className="check">
          <input type="checkbox" checked={form.active} onChange={(e) => setForm({ ...form, active: e.target.checked })} />
          Active
        </label>
        <div className="button-row">
          <button type="submit" disabled={action.busy}>
            Save code
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export default function BillingCodesPage() {
  const { role } = useAuth();
  const editable = role === "admin" || role === "billing";
  const [editing, setEditing] = useState<BillingCode | "new" | null>(null);
  const codes = useApi(() => allPages<BillingCode>((c) => ok(api().GET("/v1/billing-codes", { params: { query: { limit: 100, cursor: c } } }))), []);
  return (
    <>
      <PageHeader
        title="Billing codes"
        actions={
          editable ? (
            <button type="button" onClick={() => setEditing("new")}>
              New billing code
            </button>
          ) : null
        }
      />
      <ProblemBanner problem={codes.problem} onRetry={codes.reload} />
      {codes.loading && !codes.data ? <Loading label="Loading billing codes…" /> : null}
      {codes.data ? (
        <DataTable<BillingCode>
          caption="Billing codes"
          rows={codes.data}
          rowKey={(c) => c.code}
          empty={<EmptyState title="No billing codes." />}
          columns={[
            { key: "code", header: "Code", cell: (c) => c.code },
            { key: "description", header: "Description", cell: (c) => c.description },
            { key: "minutes", header: "Minutes", cell: (c) => c.default_minutes },
            { key: "charge", header: "Charge", cell: (c) => c.default_charge },
            { key: "unit", header: "Unit minutes", cell: (c) => c.unit_minutes ?? "—" },
            { key: "addon", header: "Add-on", cell: (c) => (c.add_on ? "Yes" : "No") },
            { key: "active", header: "Status", cell: (c) => <span className={`status-badge ${c.active ? "active" : "cancelled"}`}>{c.active ? "active" : "inactive"}</span> },
            {
              key: "actions",
              header: "Actions",
              cell: (c) =>
                editable ? (
                  <button type="button" className="secondary" onClick={() => setEditing(c)} aria-label={`Edit ${c.code}`}>
                    Edit
                  </button>
                ) : (
                  "—"
                ),
            },
          ]}
        />
      ) : null}
      {editing ? (
        <CodeDialog
          code={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            codes.reload();
          }}
        />
      ) : null}
    </>
  );
}
