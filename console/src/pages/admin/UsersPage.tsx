/** /admin/users — staff users, their roles and notification preferences; practitioners'
 * NPI and taxonomy (claims need them). */
import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { allPages, api, ifMatch, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { personName, refreshReference } from "../../api/reference";
import type { Role, User } from "../../api/types";
import { useAuth } from "../../auth/AuthProvider";
import { roleLabel } from "../../layout/Layout";
import { DataTable, Dialog, EmptyState, Field, Loading, PageHeader, ProblemBanner } from "../../components";
import { PreferenceFields, type Preferences } from "../notifications/PreferenceFields";
import { orNull, useAction } from "./useAction";

const ROLES: Role[] = ["admin", "practitioner", "front_desk", "billing"];

function UserDialog({ user, onClose, onSaved }: { user: User | null; onClose: () => void; onSaved: () => void }) {
  const [form, setForm] = useState({
    email: user?.email ?? "",
    first_name: user?.first_name ?? "",
    last_name: user?.last_name ?? "",
    role: user?.role ?? ("practitioner" as Role),
    active: user?.active ?? true,
    npi: user?.npi ?? "",
    taxonomy: user?.taxonomy ?? "",
    notification_preferences: (user?.notification_preferences ?? {}) as Preferences,
  });
  const action = useAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    const body = { ...form, npi: orNull(form.npi), taxonomy: orNull(form.taxonomy) };
    const saved = await action.run(() =>
      user
        ? ok(api().PATCH("/v1/users/{user_id}", { params: { path: { user_id: user.id }, header: { "If-Match": ifMatch(user.version) } }, body }))
        : ok(api().POST("/v1/users", { body })),
    );
    if (saved) {
      refreshReference();
      onSaved();
    }
  }
  return (
    <Dialog open wide title={user ? `Edit ${personName(user)}` : "New user"} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <ProblemBanner problem={action.problem} claimed={["body.email", "body.first_name", "body.last_name", "body.role", "body.npi", "body.taxonomy", "body.active"]} />
        <div className="form-grid">
          <Field label="First name" name="body.first_name" problem={action.problem}>
            <input value={form.first_name} onChange={(e) => setForm({ ...form, first_name: e.target.value })} />
          </Field>
          <Field label="Last name" name="body.last_name" problem={action.problem}>
            <input value={form.last_name} onChange={(e) => setForm({ ...form, last_name: e.target.value })} />
          </Field>
          <Field label="Email" name="body.email" problem={action.problem}>
            <input type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
          </Field>
          <Field label="Role" name="body.role" problem={action.problem}>
            <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {roleLabel(r)}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Individual NPI" name="body.npi" problem={action.problem}>
            <input value={form.npi} onChange={(e) => setForm({ ...form, npi: e.target.value })} />
          </Field>
          <Field label="Taxonomy code" name="body.taxonomy" problem={action.problem}>
            <input value={form.taxonomy} onChange={(e) => setForm({ ...form, taxonomy: e.target.value })} />
          </Field>
        </div>
        <label className="check">
          <input type="checkbox" checked={form.active} onChange={(e) => setForm({ ...form, active: e.target.checked })} />
          Active (may sign in)
        </label>
        <PreferenceFields value={form.notification_preferences} onChange={(notification_preferences) => setForm({ ...form, notification_preferences })} />
        <div className="button-row">
          <button type="submit" disabled={action.busy}>
            Save user
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export default function UsersPage() {
  const { role, me } = useAuth();
  const editable = role === "admin";
  const [params] = useSearchParams();
  const highlight = params.get("user");
  const [editing, setEditing] = useState<User | "new" | null>(null);
  const remove = useAction();
  const users = useApi(() => allPages<User>((c) => ok(api().GET("/v1/users", { params: { query: { limit: 100, cursor: c } } }))), []);
  async function del(u: User) {
    if (!window.confirm(`Delete ${personName(u)}?`)) return;
    const done = await remove.run(() => ok(api().DELETE("/v1/users/{user_id}", { params: { path: { user_id: u.id }, header: { "If-Match": ifMatch(u.version) } } })).then(() => true));
    if (done) {
      refreshReference();
      users.reload();
    }
  }
  return (
    <>
      <PageHeader
        title="Users and roles"
        actions={
          editable ? (
            <button type="button" onClick={() => setEditing("new")}>
              New user
            </button>
          ) : null
        }
      />
      <ProblemBanner problem={remove.problem} />
      <ProblemBanner problem={users.problem} onRetry={users.reload} />
      {users.loading && !users.data ? <Loading label="Loading users…" /> : null}
      {users.data ? (
        <DataTable<User>
          caption="Users"
          rows={users.data}
          rowKey={(u) => u.id}
          empty={<EmptyState title="No users." />}
          columns={[
            { key: "name", header: "Name", cell: (u) => (u.id === highlight ? <strong>{personName(u)} (to fix)</strong> : personName(u)) },
            { key: "email", header: "Email", cell: (u) => u.email },
            { key: "role", header: "Role", cell: (u) => roleLabel(u.role) },
            { key: "npi", header: "NPI", cell: (u) => u.npi ?? "—" },
            { key: "active", header: "Status", cell: (u) => <span className={`status-badge ${u.active ? "active" : "cancelled"}`}>{u.active ? "active" : "inactive"}</span> },
            {
              key: "actions",
              header: "Actions",
              cell: (u) =>
                editable ? (
                  <span className="button-row">
                    <button type="button" className="secondary" onClick={() => setEditing(u)} aria-label={`Edit ${personName(u)}`}>
                      Edit
                    </button>
                    {u.id !== me.id ? (
                      <button type="button" className="danger" disabled={remove.busy} onClick={() => void del(u)} aria-label={`Delete ${personName(u)}`}>
                        Delete
                      </button>
                    ) : null}
                  </span>
                ) : (
                  "—"
                ),
            },
          ]}
        />
      ) : null}
      {editing ? (
        <UserDialog
          user={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            users.reload();
          }}
        />
      ) : null}
    </>
  );
}
