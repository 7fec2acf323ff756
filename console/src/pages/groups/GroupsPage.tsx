/** /groups — every group the caller may see (a practitioner: the ones they run or share),
 * and a new group. */
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { allPages, api, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { personName, useReference } from "../../api/reference";
import type { Group } from "../../api/types";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable, EmptyState, Field, FormDialog, Loading, PageHeader, ProblemBanner } from "../../components";
import { paths } from "../../routes";
import { useAction } from "../admin/useAction";

export const GROUP_EDITORS = ["admin", "practitioner", "front_desk"];

function NewGroupDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const navigate = useNavigate();
  const { role, me } = useAuth();
  const ref = useReference();
  const [form, setForm] = useState({ name: "", initials: "", practitioner_id: role === "practitioner" ? me.id : "", default_billing_code: "90853" });
  const action = useAction();
  async function submit() {
    const group = await action.run(() =>
      ok(
        api().POST("/v1/groups", {
          body: { name: form.name, initials: form.initials, practitioner_id: form.practitioner_id || null, default_billing_code: form.default_billing_code },
        }),
      ),
    );
    if (group) {
      onClose();
      navigate(paths.group(group.id));
    }
  }
  const claimed = ["body.name", "body.initials", "body.practitioner_id", "body.default_billing_code"];
  return (
    <FormDialog
      open={open}
      title="New group"
      onClose={onClose}
      onSubmit={submit}
      problem={action.problem}
      claimed={claimed}
      busy={action.busy}
      submitLabel="Create group"
    >
      <Field label="Full name" name="body.name" problem={action.problem}>
        <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
      </Field>
      <Field label="Initials" name="body.initials" problem={action.problem}>
        <input value={form.initials} onChange={(e) => setForm({ ...form, initials: e.target.value })} />
      </Field>
      <Field label="Practitioner" name="body.practitioner_id" problem={action.problem}>
        <select value={form.practitioner_id} onChange={(e) => setForm({ ...form, practitioner_id: e.target.value })} disabled={role === "practitioner"}>
          <option value="">Choose…</option>
          {(ref.data?.practitioners ?? []).map((p) => (
            <option key={p.id} value={p.id}>
              {personName(p)}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Default billing code" name="body.default_billing_code" problem={action.problem}>
        <select value={form.default_billing_code} onChange={(e) => setForm({ ...form, default_billing_code: e.target.value })}>
          {(ref.data?.billingCodes ?? [{ code: "90853", description: "Group psychotherapy" }]).map((c) => (
            <option key={c.code} value={c.code}>
              {c.code} · {c.description}
            </option>
          ))}
        </select>
      </Field>
    </FormDialog>
  );
}

export default function GroupsPage() {
  const { role } = useAuth();
  const [creating, setCreating] = useState(false);
  const groups = useApi(() => allPages<Group>((cursor) => ok(api().GET("/v1/groups", { params: { query: { limit: 100, cursor } } }))), []);
  const ref = useReference();
  const byId = new Map((ref.data?.users ?? []).map((u) => [u.id, u]));
  return (
    <>
      <PageHeader
        title="Groups"
        actions={
          GROUP_EDITORS.includes(role) ? (
            <button type="button" onClick={() => setCreating(true)}>
              New group
            </button>
          ) : null
        }
      />
      <ProblemBanner problem={groups.problem} onRetry={groups.reload} />
      {groups.loading && !groups.data ? <Loading label="Loading groups…" /> : null}
      {groups.data ? (
        <DataTable<Group>
          caption="Groups"
          rows={groups.data}
          rowKey={(g) => g.id}
          empty={<EmptyState title="No groups yet.">{role === "practitioner" ? "Groups you run or that are shared with you appear here." : "Create one with “New group”."}</EmptyState>}
          columns={[
            { key: "name", header: "Group", cell: (g) => <Link to={paths.group(g.id)}>{g.name}</Link> },
            { key: "initials", header: "Initials", cell: (g) => g.initials },
            { key: "practitioner", header: "Practitioner", cell: (g) => personName(byId.get(g.practitioner_id)) },
            { key: "code", header: "Default code", cell: (g) => g.default_billing_code },
            { key: "members", header: "Members", cell: (g) => g.member_count },
            { key: "shared", header: "Shared with", cell: (g) => (g.shared_with.length ? g.shared_with.map((id) => personName(byId.get(id))).join(", ") : "—") },
            { key: "active", header: "Status", cell: (g) => <span className={`status-badge ${g.active ? "active" : "cancelled"}`}>{g.active ? "active" : "inactive"}</span> },
          ]}
        />
      ) : null}
      {creating ? <NewGroupDialog open={creating} onClose={() => setCreating(false)} /> : null}
    </>
  );
}
