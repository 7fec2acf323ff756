/** /billing/payers — insurance payers as the clearinghouse knows them (admins and billing staff
 * edit; everyone reads). Scrubbing links here when a payer's record needs fixing. */
import { useState } from "react";
import { useSearchParams } from "react-router";
import { allPages, api, ifMatch, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import type { components } from "../../api/schema";
import { useAuth } from "../../auth/AuthProvider";
import { EmptyState, Field, FormDialog } from "../../components";
import { AddressFields, addressOf, draftAddress } from "../admin/AddressFields";
import { ResourcePage, toFix, type EditorProps } from "../admin/ResourcePage";
import { orNull, useAction } from "../admin/useAction";

type Payer = components["schemas"]["Payer"];
type Indicator = NonNullable<components["schemas"]["PayerCreate"]["claim_filing_indicator"]>;
const INDICATORS: Indicator[] = ["CI", "BL", "HM", "MB", "MC", "CH", "VA", "WC", "AM", "DS", "FI", "LM", "MA", "OF", "TV", "ZZ", "11", "12", "13", "14", "15", "16", "17"];

function PayerDialog({ entity: payer, onClose, onSaved }: EditorProps<Payer>) {
  const [form, setForm] = useState({
    name: payer?.name ?? "",
    payer_id: payer?.payer_id ?? "",
    claim_filing_indicator: (payer?.claim_filing_indicator ?? "") as Indicator | "",
    requires_authorization: payer?.requires_authorization ?? false,
    address: draftAddress(payer?.address),
  });
  const action = useAction();
  async function submit() {
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
    <FormDialog
      wide
      title={payer ? `Edit ${payer.name}` : "New payer"}
      onClose={onClose}
      onSubmit={submit}
      problem={action.problem}
      claimed={["body.name", "body.payer_id", "body.claim_filing_indicator", "body.address"]}
      busy={action.busy}
      submitLabel="Save payer"
    >
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
    </FormDialog>
  );
}

export default function PayersPage() {
  const { role } = useAuth();
  const [params] = useSearchParams();
  const highlight = params.get("payer");
  const payers = useApi(() => allPages<Payer>((c) => ok(api().GET("/v1/payers", { params: { query: { limit: 100, cursor: c } } }))), []);
  return (
    <ResourcePage<Payer>
      title="Payers"
      newLabel="New payer"
      caption="Payers"
      loadingLabel="Loading payers…"
      empty={<EmptyState title="No payers yet." />}
      editable={role === "admin" || role === "billing"}
      list={payers}
      rowKey={(p) => p.id}
      label={(p) => p.name}
      editor={(props) => <PayerDialog {...props} />}
      columns={[
        { key: "name", header: "Name", cell: (p) => toFix(p.name, p.id === highlight) },
        { key: "pid", header: "Payer id", cell: (p) => p.payer_id ?? "—" },
        { key: "cfi", header: "Filing indicator", cell: (p) => p.claim_filing_indicator ?? "—" },
        { key: "auth", header: "Needs authorization", cell: (p) => (p.requires_authorization ? "Yes" : "No") },
      ]}
    />
  );
}
