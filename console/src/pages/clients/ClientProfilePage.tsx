import { useState } from "react";
import { Link, useLocation, useParams } from "react-router";
import { api, ifMatch, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { rememberName } from "../../api/names";
import { personName, useReference } from "../../api/reference";
import type { Authorization, ClientSession, EntitlementSummary, Invoice } from "../../api/types";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable, EmptyState, Field, FormDialog, Loading, PageHeader, ProblemBanner, ProgressBar } from "../../components";
import { dayLabel, wallDate, wallTime } from "../../lib/dates";
import { ENTITLEMENT_EDITORS, paths, SCHEDULERS, SESSION_EDITORS } from "../../routes";
import { orNull, useAction } from "../admin/useAction";
import { InvoiceStatusBadge } from "../billing/InvoiceStatusBadge";
import { STATUS_LABEL } from "../frontdesk/labels";
import { CodeRuleFields, sameCodeRule, type CodeRule } from "./CodeRuleFields";

function EditLimitDialog({ clientId, pack, onClose, onSaved }: { clientId: string; pack: EntitlementSummary; onClose: () => void; onSaved: () => void }) {
  const [limit, setLimit] = useState(pack.limit);
  const { problem, busy, run } = useAction();
  async function submit() {
    const saved = await run(() =>
      ok(
        api().PATCH("/v1/clients/{client_id}/packs/{pack_id}", {
          params: { path: { client_id: clientId, pack_id: pack.id }, header: { "If-Match": ifMatch(pack.version ?? 0) } },
          body: { limit },
        }),
      ).then(() => true),
    );
    if (saved) onSaved();
  }
  return (
    <FormDialog
      title={`Edit the limit of “${pack.name}”`}
      onClose={onClose}
      onSubmit={submit}
      problem={problem}
      claimed={["body.limit"]}
      busy={busy}
      submitLabel="Save limit"
    >
      <p>{pack.counted}. Every figure is recalculated from the new limit.</p>
      <Field label={`New limit (${pack.measure})`} name="body.limit" problem={problem}>
        <input inputMode="decimal" value={limit} onChange={(e) => setLimit(e.target.value)} />
      </Field>
    </FormDialog>
  );
}

type AuthorizationForm = { payer: string; allowed: string; begin_on: string; end_on: string; number: string; codes: CodeRule };
const AUTH_FIELDS = ["body.payer", "body.allowed", "body.begin_on", "body.end_on", "body.number", "body.codes"];

function authorizationForm(a: Authorization): AuthorizationForm {
  return { payer: a.payer, allowed: a.allowed, begin_on: a.begin_on, end_on: a.end_on, number: a.number ?? "", codes: a.codes };
}

/** Edit an authorization (PATCH sends only what changed): a funder's new letter changes the
 * allowed count, the end date, the number or which codes count; the API refuses an allowed
 * count below what is used and says so next to the field. */
function EditAuthorizationDialog({ clientId, summary, onClose, onSaved }: { clientId: string; summary: EntitlementSummary; onClose: () => void; onSaved: (saved: Authorization) => void }) {
  // The profile's summary has the figures only; the dates, number and codes rule come from the authorization.
  const loaded = useApi(
    () => ok(api().GET("/v1/clients/{client_id}/authorizations/{authorization_id}", { params: { path: { client_id: clientId, authorization_id: summary.id } } })),
    [clientId, summary.id],
  );
  const reference = useReference();
  const [edited, setEdited] = useState<AuthorizationForm | null>(null);
  const { problem, busy, run } = useAction();
  const auth = loaded.data;
  const form = edited ?? (auth ? authorizationForm(auth) : null);
  const set = (change: Partial<AuthorizationForm>) => form && setEdited({ ...form, ...change });

  async function submit() {
    if (!auth || !form) return;
    const before = authorizationForm(auth);
    const number = orNull(form.number);
    const changes = {
      ...(form.payer !== before.payer ? { payer: form.payer } : {}),
      ...(form.allowed !== before.allowed ? { allowed: form.allowed } : {}),
      ...(form.begin_on !== before.begin_on ? { begin_on: form.begin_on } : {}),
      ...(form.end_on !== before.end_on ? { end_on: form.end_on } : {}),
      // null clears the number (later sessions get none on their claim)
      ...(number !== auth.number ? { number } : {}),
      ...(!sameCodeRule(form.codes, before.codes) ? { codes: form.codes } : {}),
    };
    if (Object.keys(changes).length === 0) {
      onClose();
      return;
    }
    const saved = await run(() =>
      ok(
        api().PATCH("/v1/clients/{client_id}/authorizations/{authorization_id}", {
          params: { path: { client_id: clientId, authorization_id: auth.id }, header: { "If-Match": ifMatch(auth.version) } },
          body: changes,
        }),
      ),
    );
    if (saved) onSaved(saved);
  }

  return (
    <FormDialog
      title={`Edit the authorization from ${summary.name}`}
      wide
      onClose={onClose}
      onSubmit={submit}
      problem={problem}
      claimed={AUTH_FIELDS}
      busy={busy || !form}
      submitLabel="Save authorization"
      lead={<p>{summary.counted}. Every figure is recalculated from the new allowed count.</p>}
    >
      <ProblemBanner problem={loaded.problem ?? reference.problem} onRetry={loaded.problem ? loaded.reload : reference.reload} />
      {form && auth ? (
        <>
          <div className="form-grid">
            <Field label={`Allowed (${auth.measure})`} name="body.allowed" problem={problem} hint={`At least the ${auth.used} already used.`}>
              <input inputMode="decimal" value={form.allowed} onChange={(e) => set({ allowed: e.target.value })} />
            </Field>
            <Field label="Authorization number" name="body.number" problem={problem} hint="Empty: later sessions carry no number.">
              <input value={form.number} onChange={(e) => set({ number: e.target.value })} />
            </Field>
            <Field label="Begins on" name="body.begin_on" problem={problem}>
              <input type="date" value={form.begin_on} onChange={(e) => set({ begin_on: e.target.value })} />
            </Field>
            <Field label="Ends on" name="body.end_on" problem={problem}>
              <input type="date" value={form.end_on} onChange={(e) => set({ end_on: e.target.value })} />
            </Field>
            <Field label="Payer" name="body.payer" problem={problem}>
              <input value={form.payer} onChange={(e) => set({ payer: e.target.value })} />
            </Field>
          </div>
          {reference.data ? (
            <CodeRuleFields value={form.codes} onChange={(codes) => set({ codes })} billingCodes={reference.data.billingCodes} name="body.codes" problem={problem} />
          ) : (
            <Loading label="Loading billing codes…" />
          )}
        </>
      ) : loaded.loading ? (
        <Loading label="Loading the authorization…" />
      ) : null}
    </FormDialog>
  );
}

function Entitlements({ title, items, kind, canEdit, onEdit }: { title: string; items: EntitlementSummary[]; kind: "pack" | "authorization"; canEdit: boolean; onEdit: (e: EntitlementSummary) => void }) {
  if (items.length === 0) return <EmptyState title={kind === "pack" ? "No active packs." : "No active authorizations."} />;
  return (
    <ul className="entitlements" aria-label={title}>
      {items.map((e) => (
        <li key={e.id} className="entitlement">
          <h3>
            <span>{e.name}</span>
            {e.status ? <span className={`status-badge ${e.status}`}>{e.status.replace(/_/g, " ")}</span> : null}
          </h3>
          <ProgressBar used={e.used} limit={e.limit} remaining={e.remaining} label={`${e.name} used`} text={e.counted ?? undefined} />
          <p className="muted small" style={{ margin: 0 }}>
            {e.ends ? `${kind === "pack" ? "Expires" : "Ends"} ${e.ends}` : kind === "pack" ? "No expiry yet" : ""}
          </p>
          {canEdit ? (
            <button type="button" className="link-button" onClick={() => onEdit(e)}>
              {kind === "pack" ? (
                <>
                  Edit limit<span className="visually-hidden"> of {e.name}</span>
                </>
              ) : (
                <>
                  Edit<span className="visually-hidden"> the authorization from {e.name}</span>
                </>
              )}
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

export default function ClientProfilePage() {
  const { clientId = "" } = useParams();
  const { role } = useAuth();
  const location = useLocation();
  const flash = (location.state as { flash?: string } | null)?.flash;
  const reference = useReference();
  const profile = useApi(() => ok(api().GET("/v1/clients/{client_id}", { params: { path: { client_id: clientId } } })), [clientId]);
  const sessions = useApi(
    () => ok(api().GET("/v1/clients/{client_id}/sessions", { params: { path: { client_id: clientId }, query: { limit: 20 } } })),
    [clientId],
  );
  const mayInvoices = role !== "practitioner";
  const invoices = useApi(
    () => (mayInvoices ? ok(api().GET("/v1/clients/{client_id}/invoices", { params: { path: { client_id: clientId }, query: { limit: 20 } } })) : Promise.resolve({ items: [] as Invoice[], next_cursor: null })),
    [clientId, mayInvoices],
  );
  const [editing, setEditing] = useState<EntitlementSummary | null>(null);
  const [editingAuth, setEditingAuth] = useState<EntitlementSummary | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  if (profile.loading && !profile.data) return <Loading label="Loading client…" />;
  const c = profile.data;
  if (!c) {
    return (
      <>
        <PageHeader title="Client" />
        <ProblemBanner problem={profile.problem} onRetry={profile.reload} />
      </>
    );
  }
  const name = `${c.first_name} ${c.last_name}`;
  rememberName("client", c.id, name);
  const practitioner = reference.data?.users.find((u) => u.id === c.practitioner_id);
  const canEntitle = ENTITLEMENT_EDITORS.includes(role);
  const bookQuery = new URLSearchParams({ client_id: c.id, client_name: name, ...(c.practitioner_id ? { practitioner_id: c.practitioner_id } : {}) });
  return (
    <>
      <PageHeader
        title={name}
        actions={
          <>
            {SCHEDULERS.includes(role) ? (
              <Link className="button" to={`${paths.book}?${bookQuery.toString()}`}>
                Book appointment
              </Link>
            ) : null}
            {canEntitle ? (
              <>
                <Link className="button secondary" to={paths.newPack(c.id)}>
                  New pack
                </Link>
                <Link className="button secondary" to={paths.newAuthorization(c.id)}>
                  New authorization
                </Link>
              </>
            ) : null}
            {SESSION_EDITORS.includes(role) ? (
              <Link className="button secondary" to={paths.newSession(c.id)}>
                New client session
              </Link>
            ) : null}
          </>
        }
      >
        <p className="muted">
          {c.archived ? "Archived · " : ""}
          {c.date_of_birth ? `Born ${c.date_of_birth}` : "No date of birth"}
          {practitioner ? ` · Practitioner ${personName(practitioner)}` : ""}
        </p>
      </PageHeader>
      {flash || saved ? (
        <p className="success" role="status">
          {saved ?? flash}
        </p>
      ) : null}
      <ProblemBanner problem={profile.problem} onRetry={profile.reload} />

      <section aria-labelledby="packs-h">
        <h2 id="packs-h">Packs</h2>
        <Entitlements title="Packs" items={c.packs ?? []} kind="pack" canEdit={canEntitle} onEdit={setEditing} />
      </section>
      <section aria-labelledby="auth-h">
        <h2 id="auth-h">Authorizations</h2>
        <Entitlements title="Authorizations" items={c.authorizations ?? []} kind="authorization" canEdit={canEntitle} onEdit={setEditingAuth} />
      </section>

      <div className="grid-2">
        <section aria-labelledby="upcoming-h" className="panel">
          <h2 id="upcoming-h">Upcoming appointments</h2>
          {(c.upcoming_appointments ?? []).length === 0 ? (
            <EmptyState title="No upcoming appointments." />
          ) : (
            <ul className="plain-list">
              {(c.upcoming_appointments ?? []).map((a) => (
                <li key={a.id}>
                  <Link to={paths.appointment(a.id)}>
                    {dayLabel(wallDate(a.start))} {wallTime(a.start)}–{wallTime(a.end)}
                  </Link>{" "}
                  · {a.billing_code} · {STATUS_LABEL[a.status]}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="groups-h" className="panel">
          <h2 id="groups-h">Groups</h2>
          {(c.groups ?? []).length === 0 ? (
            <EmptyState title="Not in any group." />
          ) : (
            <ul className="plain-list">
              {(c.groups ?? []).map((g) => (
                <li key={g.group_id}>
                  <Link to={paths.group(g.group_id)}>{g.name}</Link> · since {wallDate(g.joined_at)}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>

      <section aria-labelledby="sessions-h">
        <h2 id="sessions-h">Client sessions</h2>
        <ProblemBanner problem={sessions.problem} onRetry={sessions.reload} />
        {sessions.loading && !sessions.data ? <Loading label="Loading sessions…" /> : null}
        {sessions.data ? (
          <DataTable<ClientSession>
            caption="Client sessions"
            rows={sessions.data.items}
            rowKey={(s) => s.id}
            empty={<EmptyState title="No client sessions yet." />}
            columns={[
              {
                key: "date",
                header: "Date of service",
                cell: (s) => (SESSION_EDITORS.includes(role) ? <Link to={paths.session(c.id, s.id)}>{s.date_of_service}</Link> : s.date_of_service),
              },
              { key: "code", header: "Code", cell: (s) => s.billing_code },
              { key: "minutes", header: "Minutes", cell: (s) => s.minutes },
              { key: "fee", header: "Fee", cell: (s) => s.fee },
              { key: "auth", header: "Authorization", cell: (s) => s.prior_authorization_number ?? s.authorization_warning ?? "—" },
            ]}
          />
        ) : null}
      </section>

      {mayInvoices ? (
        <section aria-labelledby="invoices-h">
          <h2 id="invoices-h">Invoices</h2>
          <ProblemBanner problem={invoices.problem} onRetry={invoices.reload} />
          {invoices.loading && !invoices.data ? <Loading label="Loading invoices…" /> : null}
          {invoices.data ? (
            <DataTable<Invoice>
              caption="Invoices"
              rows={invoices.data.items}
              rowKey={(i) => i.id}
              empty={<EmptyState title="No invoices yet." />}
              columns={[
                { key: "date", header: "Date", cell: (i) => i.issued_on },
                { key: "subject", header: "For", cell: (i) => (i.subject === "pack_sale" ? "Pack sale" : "Session") },
                { key: "total", header: "Total", cell: (i) => i.total },
                { key: "due", header: "Balance due", cell: (i) => i.balance_due },
                { key: "status", header: "Status", cell: (i) => <InvoiceStatusBadge invoice={i} /> },
              ]}
            />
          ) : null}
        </section>
      ) : null}

      {editing ? (
        <EditLimitDialog
          clientId={c.id}
          pack={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            setSaved("Limit saved; the figures are recalculated.");
            profile.reload();
          }}
        />
      ) : null}
      {editingAuth ? (
        <EditAuthorizationDialog
          clientId={c.id}
          summary={editingAuth}
          onClose={() => setEditingAuth(null)}
          onSaved={(a) => {
            setEditingAuth(null);
            setSaved(`Authorization from ${a.payer} saved: used ${a.used} of ${a.allowed} ${a.measure}, ${a.remaining} left, ends ${a.end_on}.`);
            profile.reload();
          }}
        />
      ) : null}
    </>
  );
}
