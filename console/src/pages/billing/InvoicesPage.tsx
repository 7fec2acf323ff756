/** /billing/invoices — every invoice of the practice by invoice date, filtered by status and
 * dates, with its lines and payments, and a payment against the balance due. */
import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api, ok } from "../../api/client";
import { useNames } from "../../api/names";
import type { components } from "../../api/schema";
import type { Invoice } from "../../api/types";
import { DataTable, EmptyState, Field, FormDialog, Loading, NextPageButton, PageHeader, ProblemBanner, usePaged } from "../../components";
import { paths } from "../../routes";
import { useAction } from "../admin/useAction";
import { InvoiceStatusBadge } from "./InvoiceStatusBadge";
import "./billing.css";

type Method = components["schemas"]["PaymentCreate"]["method"];
type InvoiceStatus = Invoice["status"];
const METHODS: Method[] = ["cash", "card", "eftpos", "check", "bank_transfer", "insurance", "other"];

function PaymentDialog({ invoice, clientName, onClose, onPaid }: { invoice: Invoice; clientName: string | undefined; onClose: () => void; onPaid: () => void }) {
  const [form, setForm] = useState<{ amount: string; method: Method; on: string }>({ amount: invoice.balance_due, method: "card", on: "" });
  const action = useAction();
  async function submit() {
    const paid = await action.run(() =>
      ok(
        api().POST("/v1/clients/{client_id}/invoices/{invoice_id}/payments", {
          params: { path: { client_id: invoice.client_id, invoice_id: invoice.id } },
          body: { amount: form.amount, method: form.method, on: form.on || null },
        }),
      ),
    );
    if (paid) onPaid();
  }
  return (
    <FormDialog
      title={`Payment on invoice ${invoice.id}`}
      onClose={onClose}
      onSubmit={submit}
      problem={action.problem}
      claimed={["body.amount", "body.method", "body.on"]}
      busy={action.busy}
      submitLabel="Record payment"
      lead={
        <p>
          {clientName ? `${clientName}: ` : ""}Total {invoice.total}, paid {invoice.paid}, balance due <strong>{invoice.balance_due}</strong>.
        </p>
      }
    >
      <Field label="Amount" name="body.amount" problem={action.problem} hint="At most the balance due.">
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
    </FormDialog>
  );
}

export default function InvoicesPage() {
  const [params, setParams] = useSearchParams();
  const status = (params.get("status") ?? "") as InvoiceStatus | "";
  const from = params.get("from") ?? "";
  const to = params.get("to") ?? "";
  const [paying, setPaying] = useState<Invoice | null>(null);
  const [paidMessage, setPaidMessage] = useState<string | null>(null);
  const invoices = usePaged(
    (cursor) => ok(api().GET("/v1/invoices", { params: { query: { status: status || undefined, from: from || undefined, to: to || undefined, limit: 50, cursor } } })),
    [status, from, to],
  );
  // Invoices carry client_id only: the names come from the shared lookup, once per client.
  const clientNames = useNames("client", (invoices.data?.items ?? []).map((i) => i.client_id));
  function filter(name: string, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  }
  return (
    <>
      <PageHeader title="Invoices">
        <p className="muted">
          <Link to="/billing/claims">Claims</Link> · <Link to="/reports">Reports</Link>
        </p>
      </PageHeader>
      <div className="search-row">
        <Field label="Status">
          <select value={status} onChange={(e) => filter("status", e.target.value)}>
            <option value="">Every status</option>
            <option value="unpaid">Unpaid</option>
            <option value="part_paid">Part paid</option>
            <option value="paid">Paid</option>
            <option value="void">Void</option>
          </select>
        </Field>
        <Field label="Invoice date from" name="query.from" problem={invoices.problem}>
          <input type="date" value={from} onChange={(e) => filter("from", e.target.value)} />
        </Field>
        <Field label="Invoice date to" name="query.to" problem={invoices.problem}>
          <input type="date" value={to} onChange={(e) => filter("to", e.target.value)} />
        </Field>
      </div>
      {paidMessage ? (
        <p className="success" role="status">
          {paidMessage}
        </p>
      ) : null}
      <ProblemBanner problem={invoices.problem} onRetry={invoices.reload} claimed={["query.from", "query.to"]} />
      {invoices.loading && !invoices.data ? <Loading label="Loading invoices…" /> : null}
      {invoices.data ? (
        <DataTable<Invoice>
          caption="Invoices"
          rows={invoices.data.items}
          rowKey={(i) => i.id}
          empty={<EmptyState title="No invoices match.">Invoices are created from a client's session or pack sale.</EmptyState>}
          columns={[
            { key: "date", header: "Date", cell: (i) => i.issued_on },
            { key: "client", header: "Client", cell: (i) => <Link to={paths.client(i.client_id)}>{clientNames[i.client_id] ?? "Client"}</Link> },
            {
              key: "lines",
              header: "For",
              cell: (i) => (
                <ul className="invoice-lines">
                  {i.lines.map((l, n) => (
                    <li key={n}>
                      {l.code ? `${l.code} ` : ""}
                      {l.description} · {l.amount}
                    </li>
                  ))}
                </ul>
              ),
            },
            { key: "total", header: "Total", cell: (i) => i.total },
            { key: "covered", header: "Pack covers", cell: (i) => i.covered_by_pack },
            {
              key: "paid",
              header: "Paid",
              cell: (i) => (
                <>
                  {i.paid}
                  {i.payments.length ? <span className="muted small"> ({i.payments.map((p) => `${p.amount} ${p.method.replace("_", " ")} ${p.on}`).join("; ")})</span> : null}
                </>
              ),
            },
            {
              key: "due",
              header: "Balance due",
              cell: (i) => (
                <>
                  <strong>{i.balance_due}</strong>
                  {Number(i.credit) > 0 ? <span className="muted small"> (credit {i.credit}: refund or keep on account)</span> : null}
                </>
              ),
            },
            { key: "status", header: "Status", cell: (i) => <InvoiceStatusBadge invoice={i} /> },
            {
              key: "actions",
              header: "Actions",
              cell: (i) =>
                Number(i.balance_due) > 0 ? (
                  <button type="button" className="secondary" onClick={() => setPaying(i)} aria-label={`Take payment on invoice ${i.id}`}>
                    Take payment
                  </button>
                ) : (
                  "—"
                ),
            },
          ]}
        />
      ) : null}
      <NextPageButton page={invoices} />
      {paying ? (
        <PaymentDialog
          invoice={paying}
          clientName={clientNames[paying.client_id]}
          onClose={() => setPaying(null)}
          onPaid={() => {
            setPaidMessage(`Payment recorded on invoice ${paying.id}.`);
            setPaying(null);
            invoices.reload();
          }}
        />
      ) : null}
    </>
  );
}
