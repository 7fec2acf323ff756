import { useEffect, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { DataTable, EmptyState, Field, FormDialog, Loading, PageHeader, ProblemBanner } from "../../components";
import { paths } from "../../routes";
import type { Client } from "../../api/types";
import { useAction } from "../admin/useAction";

function NewClientDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const navigate = useNavigate();
  const [form, setForm] = useState({ first_name: "", last_name: "", date_of_birth: "", email: "", phone: "" });
  const { problem, busy, run } = useAction();
  async function submit() {
    const client = await run(() =>
      ok(
        api().POST("/v1/clients", {
          body: {
            first_name: form.first_name,
            last_name: form.last_name,
            date_of_birth: form.date_of_birth || null,
            email: form.email || null,
            phone: form.phone || null,
          },
        }),
      ),
    );
    if (client) {
      onClose();
      navigate(paths.client(client.id));
    }
  }
  const claimed = ["body.first_name", "body.last_name", "body.date_of_birth", "body.email", "body.phone"];
  return (
    <FormDialog
      open={open}
      title="New client"
      onClose={onClose}
      onSubmit={submit}
      problem={problem}
      claimed={claimed}
      busy={busy}
      submitLabel="Create client"
    >
      <Field label="First name" name="body.first_name" problem={problem}>
        <input value={form.first_name} onChange={(e) => setForm({ ...form, first_name: e.target.value })} required />
      </Field>
      <Field label="Last name" name="body.last_name" problem={problem}>
        <input value={form.last_name} onChange={(e) => setForm({ ...form, last_name: e.target.value })} required />
      </Field>
      <Field label="Date of birth" name="body.date_of_birth" problem={problem}>
        <input type="date" value={form.date_of_birth} onChange={(e) => setForm({ ...form, date_of_birth: e.target.value })} />
      </Field>
      <Field label="Email" name="body.email" problem={problem}>
        <input type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
      </Field>
      <Field label="Phone" name="body.phone" problem={problem}>
        <input type="tel" value={form.phone} onChange={(e) => setForm({ ...form, phone: e.target.value })} />
      </Field>
    </FormDialog>
  );
}

export default function ClientSearchPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const archived = params.get("archived") === "1";
  const [text, setText] = useState(q);
  const [creating, setCreating] = useState(false);
  useEffect(() => {
    const t = setTimeout(() => {
      if (text !== q) setParams(text ? { q: text, ...(archived ? { archived: "1" } : {}) } : archived ? { archived: "1" } : {}, { replace: true });
    }, 250);
    return () => clearTimeout(t);
  }, [text, q, archived, setParams]);
  const clients = useApi(
    () => ok(api().GET("/v1/clients", { params: { query: { q: q || undefined, include_archived: archived || undefined, limit: 50 } } })),
    [q, archived],
  );
  return (
    <>
      <PageHeader
        title="Clients"
        actions={
          <button type="button" onClick={() => setCreating(true)}>
            New client
          </button>
        }
      />
      <form className="search-row" role="search" onSubmit={(e) => e.preventDefault()}>
        <Field label="Search by name" hint="Last name first, e.g. “nun” or “nunez ana”">
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} autoComplete="off" />
        </Field>
        <label className="check">
          <input
            type="checkbox"
            checked={archived}
            onChange={(e) => setParams({ ...(q ? { q } : {}), ...(e.target.checked ? { archived: "1" } : {}) })}
          />
          Include archived
        </label>
      </form>
      <ProblemBanner problem={clients.problem} onRetry={clients.reload} />
      {clients.loading && !clients.data ? <Loading label="Searching…" /> : null}
      {clients.data ? (
        <DataTable<Client>
          caption="Clients"
          rows={clients.data.items}
          rowKey={(c) => c.id}
          empty={<EmptyState title={q ? `No client matches “${q}”.` : "No clients yet."}>Check the spelling, or create the client.</EmptyState>}
          columns={[
            { key: "name", header: "Name", cell: (c) => <Link to={paths.client(c.id)}>{c.last_name}, {c.first_name}</Link> },
            { key: "dob", header: "Date of birth", cell: (c) => c.date_of_birth ?? "—" },
            { key: "contact", header: "Contact", cell: (c) => c.phone ?? c.email ?? "—" },
            { key: "status", header: "Status", cell: (c) => (c.archived ? <span className="status-badge">archived</span> : "active") },
          ]}
        />
      ) : null}
      {clients.data?.next_cursor ? <p className="muted small">Showing the first 50; type more of the name to narrow the list.</p> : null}
      <NewClientDialog open={creating} onClose={() => setCreating(false)} />
    </>
  );
}
