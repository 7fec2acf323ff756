/** /admin/users — staff users, their roles and notification preferences; practitioners'
 * NPI and taxonomy (claims need them). */
import { useState } from "react";
import { useSearchParams } from "react-router";
import { allPages, api, ifMatch, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { personName, refreshReference } from "../../api/reference";
import type { Role, User } from "../../api/types";
import { useAuth } from "../../auth/AuthProvider";
import { config } from "../../config";
import { roleLabel } from "../../layout/Layout";
import { EmptyState, Field, FormDialog, ProblemBanner } from "../../components";
import { PreferenceFields, type Preferences } from "../notifications/PreferenceFields";
import { activeColumn, ResourcePage, toFix, type EditorProps } from "./ResourcePage";
import { orNull, useAction } from "./useAction";

const ROLES: Role[] = ["admin", "practitioner", "front_desk", "billing"];

function UserDialog({ entity: user, onClose, onSaved }: EditorProps<User>) {
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
  const { me } = useAuth();
  async function submit() {
    const body = { ...form, npi: orNull(form.npi), taxonomy: orNull(form.taxonomy) };
    const saved = await action.run(() =>
      user
        ? ok(api().PATCH("/v1/users/{user_id}", { params: { path: { user_id: user.id }, header: { "If-Match": ifMatch(user.version) } }, body }))
        : ok(api().POST("/v1/users", { body })),
    );
    if (saved) onSaved();
  }
  return (
    <FormDialog
      wide
      title={user ? `Edit ${personName(user)}` : "New user"}
      onClose={onClose}
      onSubmit={submit}
      problem={action.problem}
      claimed={["body.email", "body.first_name", "body.last_name", "body.role", "body.npi", "body.taxonomy", "body.active"]}
      busy={action.busy}
      submitLabel="Save user"
    >
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
      {user && user.id !== me.id && config().auth === "cognito" ? <AuthenticatorReset user={user} /> : null}
    </FormDialog>
  );
}

/** Deployed sign-in asks for an authenticator app's code; a user who lost theirs gets it
 * removed here and enrols a new one at their next sign-in (POST /v1/users/{id}/mfa-reset). */
function AuthenticatorReset({ user }: { user: User }) {
  const reset = useAction();
  const [done, setDone] = useState(false);
  async function run() {
    if (!window.confirm(`Remove ${personName(user)}'s authenticator app? They are signed out and enrol a new one at their next sign-in.`)) return;
    const ran = await reset.run(() => ok(api().POST("/v1/users/{user_id}/mfa-reset", { params: { path: { user_id: user.id } } })).then(() => true));
    if (ran) setDone(true);
  }
  return (
    <fieldset>
      <legend>Second factor</legend>
      <ProblemBanner problem={reset.problem} />
      {done ? (
        <p role="status">Authenticator removed: {personName(user)} sets up a new one at their next sign-in.</p>
      ) : (
        <button type="button" className="secondary" disabled={reset.busy} onClick={() => void run()}>
          Reset authenticator app
        </button>
      )}
    </fieldset>
  );
}

export default function UsersPage() {
  const { role, me } = useAuth();
  const [params] = useSearchParams();
  const highlight = params.get("user");
  const users = useApi(() => allPages<User>((c) => ok(api().GET("/v1/users", { params: { query: { limit: 100, cursor: c } } }))), []);
  return (
    <ResourcePage<User>
      title="Users and roles"
      newLabel="New user"
      caption="Users"
      loadingLabel="Loading users…"
      empty={<EmptyState title="No users." />}
      editable={role === "admin"}
      list={users}
      rowKey={(u) => u.id}
      label={(u) => personName(u)}
      afterWrite={refreshReference}
      remove={(u) => ok(api().DELETE("/v1/users/{user_id}", { params: { path: { user_id: u.id }, header: { "If-Match": ifMatch(u.version) } } }))}
      canRemove={(u) => u.id !== me.id}
      editor={(props) => <UserDialog {...props} />}
      columns={[
        { key: "name", header: "Name", cell: (u) => toFix(personName(u), u.id === highlight) },
        { key: "email", header: "Email", cell: (u) => u.email },
        { key: "role", header: "Role", cell: (u) => roleLabel(u.role) },
        { key: "npi", header: "NPI", cell: (u) => u.npi ?? "—" },
        activeColumn(),
      ]}
    />
  );
}
