/** /billing/payers — insurance payers as the clearinghouse knows them (admins and billing staff
 * edit; everyone reads). Scrubbing links here when a payer's record needs fixing. */
import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { allPages, api, ifMatch, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import type { components } from "../../api/schema";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable, Dialog, EmptyState, Field, Loading, PageHeader, ProblemBanner } from "../../components";
import { AddressFields, addressOf, draftAddress } from "../admin/AddressFields";
import { orNull, useAction } from "../admin/useAction";

type Payer = components["schemas"]["Payer"];
type Indicator = NonNullable<components["schemas"]["PayerCreate"]["claim_filing_indicator"]>;
const INDICATORS: Indicator[] = ["CI", "BL", "HM", "MB", "MC", "CH", "VA", "WC", "AM", "DS", "FI", "LM", "MA", "OF", "TV", "ZZ", "11", "12", "13", "14", "15", "16", "17"];

function PayerDialog({ payer, onClose, onSaved }: { payer: Payer | null; onClose: () => void; onSaved: () => void }) {
  const [form, setForm] = useState({
    name: payer?.name ?? "",
    payer_id: payer?.payer_id ?? "",
    claim_filing_indicator: (payer?.claim_filing_indicator ?? "") as Indicator | "",
    requires_authorization: payer?.requires_authorization ?? false,
    address: draftAddress(payer?.address),
  });
  const action = useAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    const body = {
      name: form.name,
      payer_id: orNull(form.payer_id),
      claim_filing_indicator: form.claim_filing_indicator || null,
      requires_authorization: form.requires_authorization,
      address: addressOf(form.address),
    };
    const saved = await action.run(() =>
      payer
        ? ok(api().PATCH("/v1/payers/{payer_id}", { params: { path: { payer_id: payer.id }, header: { "If-Match": ifMatch(payer.version) } }, body }))
        : ok(api().POST("/v1/payers", { body })),
    );
    if (saved) onSaved();
  }
  return (
    <Dialog open wide title={payer ? `Edit ${payer.name}` : "New payer"} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <ProblemBanner problem={action.problem} claimed={["body.name", "body.payer_id", "body.claim_filing_indicator", "body.address"]} />
        <div className="form-grid">
          <Field label="Name" name="body.name" problem={action.problem}>
            <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </Field>
          <Field label="Payer id (clearinghouse)" name="body.payer_id" problem={action.problem}>
            <input value={form.payer_id} onChange={(e) => setForm({ ...form, payer_id: e.target.value })} />
          </Field>
          <Field label="Claim filing indicator" name="body.claim_filing_indicator" problem={action.problem}>
            <select value={form.claim_filing_indicator} onChange={(e) => setForm({ ...form, claim_filing_indicator: e.target.value as Indicator | "" })}>
              <option value="">—</option>
              {INDICATORS.map((i) => (
                <option key={i} value={i}>
                  {i}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <label className="check">
          <input type="checkbox" checked={form.requires_authorization} onChange={(e) => setForm({ ...form, requires_authorization: e.target.checked })} />
          Requires a prior authorization number
        </label>
        <AddressFields legend="Address (US)" name="body.address" value={form.address} onChange={(address) => setForm({ ...form, address })} problem={action.problem} />
        <div className="button-row">
          <button type="submit" disabled={action.busy}>
            Save payer
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export default function PayersPage() {
  const { role } = useAuth();
  const editable = role === "admin" || role === "billing";
  const [params] = useSearchParams();
  const highlight = params.get("payer");
  const [editing, setEditing] = useState<Payer | "new" | null>(null);
  const payers = useApi(() => allPages<Payer>((c) => ok(api().GET("/v1/payers", { params: { query: { limit: 100, cursor: c } } }))), []);
  return (
    <>
      <PageHeader
        title="Payers"
        actions={
          editable ? (
            <button type="button" onClick={() => setEditing("new")}>
              New payer
            </button>
          ) : null
        }
      />
      <ProblemBanner problem={payers.problem} onRetry={payers.reload} />
      {payers.loading && !payers.data ? <Loading label="Loading payers…" /> : null}
      {payers.data ? (
        <DataTable<Payer>
          caption="Payers"
          rows={payers.data}
          rowKey={(p) => p.id}
          empty={<EmptyState title="No payers yet." />}
          columns={[
            { key: "name", header: "Name", cell: (p) => (p.id === highlight ? <strong>{p.name} (to fix)</strong> : p.name) },
            { key: "pid", header: "Payer id", cell: (p) => p.payer_id ?? "—" },
            { key: "cfi", header: "Filing indicator", cell: (p) => p.claim_filing_indicator ?? "—" },
            { key: "auth", header: "Needs authorization", cell: (p) => (p.requires_authorization ? "Yes" : "No") },
            {
              key: "actions",
              header: "Actions",
              cell: (p) =>
                editable ? (
                  <button type="button" className="secondary" onClick={() => setEditing(p)} aria-label={`Edit ${p.name}`}>
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
        <PayerDialog
          payer={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            payers.reload();
          }}
        />
      ) : null}
    </>
  );
}
