/** /admin/billing-codes — CPT/HCPCS or local item numbers with default length and charge, the
 * unit length for unit-based billing, and the add-on flag (admins and billing staff edit). */
import { useState } from "react";
import { allPages, api, ifMatch, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { refreshReference } from "../../api/reference";
import type { BillingCode } from "../../api/types";
import { useAuth } from "../../auth/AuthProvider";
import { EmptyState, Field, FormDialog } from "../../components";
import { activeColumn, ResourcePage, type EditorProps } from "./ResourcePage";
import { useAction } from "./useAction";

function CodeDialog({ entity: code, onClose, onSaved }: EditorProps<BillingCode>) {
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
  async function submit() {
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
    if (saved) onSaved();
  }
  return (
    <FormDialog
      title={code ? `Edit ${code.code}` : "New billing code"}
      onClose={onClose}
      onSubmit={submit}
      problem={action.problem}
      claimed={["body.code", "body.description", "body.default_minutes", "body.default_charge", "body.unit_minutes"]}
      busy={action.busy}
      submitLabel="Save code"
    >
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
    </FormDialog>
  );
}

export default function BillingCodesPage() {
  const { role } = useAuth();
  const codes = useApi(() => allPages<BillingCode>((c) => ok(api().GET("/v1/billing-codes", { params: { query: { limit: 100, cursor: c } } }))), []);
  return (
    <ResourcePage<BillingCode>
      title="Billing codes"
      newLabel="New billing code"
      caption="Billing codes"
      loadingLabel="Loading billing codes…"
      empty={<EmptyState title="No billing codes." />}
      editable={role === "admin" || role === "billing"}
      list={codes}
      rowKey={(c) => c.code}
      label={(c) => c.code}
      afterWrite={refreshReference}
      editor={(props) => <CodeDialog {...props} />}
      columns={[
        { key: "code", header: "Code", cell: (c) => c.code },
        { key: "description", header: "Description", cell: (c) => c.description },
        { key: "minutes", header: "Minutes", cell: (c) => c.default_minutes },
        { key: "charge", header: "Charge", cell: (c) => c.default_charge },
        { key: "unit", header: "Unit minutes", cell: (c) => c.unit_minutes ?? "—" },
        { key: "addon", header: "Add-on", cell: (c) => (c.add_on ? "Yes" : "No") },
        activeColumn(),
      ]}
    />
  );
}
