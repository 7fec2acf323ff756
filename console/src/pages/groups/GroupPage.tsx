/** /groups/:groupId — one group: its details, who it is shared with, its members (add and
 * remove), booking a session or a series (GroupBookingForm) and its sessions, each opening the
 * attendance grid. */
import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { allPages, api, ifMatch, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { personName, useReference } from "../../api/reference";
import type { components } from "../../api/schema";
import type { Appointment, Booking, Client, Group } from "../../api/types";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable, EmptyState, Field, Loading, PageHeader, ProblemBanner } from "../../components";
import { addDays, todayIso, wallDate, wallTime } from "../../lib/dates";
import { paths } from "../../routes";
import { useAction, useEdited } from "../admin/useAction";
import { GroupBookingForm } from "./GroupBookingForm";
import { GROUP_EDITORS } from "./GroupsPage";
import "./groups.css";

type Member = components["schemas"]["Member"];

function Details({ group, onSaved, editable }: { group: Group; onSaved: (g: Group) => void; editable: boolean }) {
  const ref = useReference();
  const [form, setForm] = useState({ name: group.name, initials: group.initials, practitioner_id: group.practitioner_id, default_billing_code: group.default_billing_code, active: group.active });
  const [done, setDone] = useState(false);
  const action = useAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(false);
    const saved = await action.run(() =>
      ok(api().PATCH("/v1/groups/{group_id}", { params: { path: { group_id: group.id }, header: { "If-Match": ifMatch(group.version) } }, body: form })),
    );
    if (saved) {
      setDone(true);
      onSaved(saved);
    }
  }
  return (
    <section className="panel" aria-labelledby="details-title">
      <h2 id="details-title">Details</h2>
      <form onSubmit={submit} noValidate>
        <ProblemBanner problem={action.problem} claimed={["body.name", "body.initials", "body.practitioner_id", "body.default_billing_code"]} />
        {done ? (
          <p className="success" role="status">
            Saved.
          </p>
        ) : null}
        <div className="form-grid">
          <Field label="Full name" name="body.name" problem={action.problem}>
            <input value={form.name} disabled={!editable} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </Field>
          <Field label="Initials" name="body.initials" problem={action.problem}>
            <input value={form.initials} disabled={!editable} onChange={(e) => setForm({ ...form, initials: e.target.value })} />
          </Field>
          <Field label="Practitioner" name="body.practitioner_id" problem={action.problem}>
            <select value={form.practitioner_id} disabled={!editable} onChange={(e) => setForm({ ...form, practitioner_id: e.target.value })}>
              {(ref.data?.users ?? []).filter((u) => u.role === "practitioner" || u.id === form.practitioner_id).map((p) => (
                <option key={p.id} value={p.id}>
                  {personName(p)}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Default billing code" name="body.default_billing_code" problem={action.problem}>
            <select value={form.default_billing_code} disabled={!editable} onChange={(e) => setForm({ ...form, default_billing_code: e.target.value })}>
              {(ref.data?.billingCodes ?? [{ code: form.default_billing_code, description: "" }]).map((c) => (
                <option key={c.code} value={c.code}>
                  {c.code} {c.description ? `· ${c.description}` : ""}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <label className="check">
          <input type="checkbox" checked={form.active} disabled={!editable} onChange={(e) => setForm({ ...form, active: e.target.checked })} />
          Active
        </label>
        {editable ? (
          <div className="button-row">
            <button type="submit" disabled={action.busy}>
              Save details
            </button>
          </div>
        ) : null}
      </form>
    </section>
  );
}

function Sharing({ group, onSaved, editable }: { group: Group; onSaved: (g: Group) => void; editable: boolean }) {
  const ref = useReference();
  const [shared, setShared] = useState<string[]>(group.shared_with);
  const [done, setDone] = useState(false);
  const action = useAction();
  const others = (ref.data?.practitioners ?? []).filter((p) => p.id !== group.practitioner_id);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(false);
    const saved = await action.run(() =>
      ok(api().PATCH("/v1/groups/{group_id}", { params: { path: { group_id: group.id }, header: { "If-Match": ifMatch(group.version) } }, body: { shared_with: shared } })),
    );
    if (saved) {
      setDone(true);
      onSaved(saved);
    }
  }
  return (
    <section className="panel" aria-labelledby="sharing-title">
      <h2 id="sharing-title">Sharing</h2>
      <p className="muted small">Practitioners it is shared with may see and edit the group, schedule it and chart for it.</p>
      <form onSubmit={submit} noValidate>
        <ProblemBanner problem={action.problem} claimed={["body.shared_with"]} />
        {done ? (
          <p className="success" role="status">
            Sharing saved.
          </p>
        ) : null}
        {ref.loading && !ref.data ? <Loading label="Loading practitioners…" /> : null}
        {ref.data && others.length === 0 ? <p className="muted">No other practitioner to share with.</p> : null}
        <fieldset>
          <legend>Shared with</legend>
          {others.map((p) => (
            <label key={p.id} className="check">
              <input
                type="checkbox"
                disabled={!editable}
                checked={shared.includes(p.id)}
                onChange={(e) => setShared((old) => (e.target.checked ? [...old, p.id] : old.filter((id) => id !== p.id)))}
              />
              {personName(p)}
            </label>
          ))}
          {action.problem?.errorFor("body.shared_with") ? <p className="field-error">{action.problem.errorFor("body.shared_with")}</p> : null}
        </fieldset>
        {editable ? (
          <button type="submit" disabled={action.busy}>
            Save sharing
          </button>
        ) : null}
      </form>
    </section>
  );
}

function Members({ group, editable, onChanged }: { group: Group; editable: boolean; onChanged: () => void }) {
  const members = useApi(
    () => allPages<Member>((cursor) => ok(api().GET("/v1/groups/{group_id}/members", { params: { path: { group_id: group.id }, query: { limit: 100, cursor } } }))),
    [group.id],
  );
  const [q, setQ] = useState("");
  const [found, setFound] = useState<Client[] | null>(null);
  const search = useAction();
  const change = useAction();
  async function find(event: FormEvent) {
    event.preventDefault();
    const result = await search.run(() => ok(api().GET("/v1/clients", { params: { query: { q, limit: 10 } } })));
    if (result) setFound(result.items);
  }
  async function add(client: Client) {
    const added = await change.run(() => ok(api().POST("/v1/groups/{group_id}/members", { params: { path: { group_id: group.id } }, body: { client_id: client.id } })));
    if (added) {
      setFound(null);
      setQ("");
      members.reload();
      onChanged();
    }
  }
  async function remove(member: Member) {
    if (!window.confirm(`Remove ${member.client_name} from the group? They leave future sessions; their history stays.`)) return;
    const removed = await change.run(() => ok(api().DELETE("/v1/groups/{group_id}/members/{client_id}", { params: { path: { group_id: group.id, client_id: member.client_id } } })));
    if (removed) {
      members.reload();
      onChanged();
    }
  }
  const current = (members.data ?? []).filter((m) => m.active);
  return (
    <section className="panel" aria-labelledby="members-title">
      <h2 id="members-title">Members ({current.length})</h2>
      <ProblemBanner problem={members.problem} onRetry={members.reload} />
      <ProblemBanner problem={change.problem} />
      {members.loading && !members.data ? <Loading label="Loading members…" /> : null}
      {members.data ? (
        <DataTable<Member>
          caption="Members"
          rows={current}
          rowKey={(m) => m.client_id}
          empty={<EmptyState title="No members yet." />}
          columns={[
            { key: "name", header: "Member", cell: (m) => <Link to={paths.client(m.client_id)}>{m.client_name}</Link> },
            { key: "since", header: "Since", cell: (m) => wallDate(m.periods[m.periods.length - 1]?.joined_at ?? "") },
            {
              key: "remove",
              header: "Actions",
              cell: (m) =>
                editable ? (
                  <button type="button" className="secondary" disabled={change.busy} onClick={() => void remove(m)} aria-label={`Remove ${m.client_name}`}>
                    Remove
                  </button>
                ) : (
                  "—"
                ),
            },
          ]}
        />
      ) : null}
      {editable ? (
        <form className="search-row" role="search" aria-label="Add a member" onSubmit={find}>
          <Field label="Add a member: search clients by name" name="query.q" problem={search.problem}>
            <input type="search" value={q} onChange={(e) => setQ(e.target.value)} autoComplete="off" />
          </Field>
          <button type="submit" disabled={search.busy || !q.trim()}>
            Search
          </button>
        </form>
      ) : null}
      {found ? (
        found.length === 0 ? (
          <p className="muted">No client matches “{q}”.</p>
        ) : (
          <ul className="plain-list" aria-label="Matching clients">
            {found.map((c) => (
              <li key={c.id}>
                {c.last_name}, {c.first_name} {c.date_of_birth ? <span className="muted small">born {c.date_of_birth}</span> : null}{" "}
                <button type="button" disabled={change.busy || current.some((m) => m.client_id === c.id)} onClick={() => void add(c)} aria-label={`Add ${c.first_name} ${c.last_name}`}>
                  {current.some((m) => m.client_id === c.id) ? "Member" : "Add"}
                </button>
              </li>
            ))}
          </ul>
        )
      ) : null}
    </section>
  );
}

type Range = { from: string; to: string };
// GET /v1/groups/{id}/appointments spans at most 93 days (422 on query.to beyond).
const MAX_RANGE_DAYS = 93;

/** The group's sessions between two days; `refresh` changes after a booking to read them again. */
function Sessions({ group, range, onRange, refresh }: { group: Group; range: Range; onRange: (r: Range) => void; refresh: number }) {
  const { from, to } = range;
  const sessions = useApi(
    () => allPages<Appointment>((cursor) => ok(api().GET("/v1/groups/{group_id}/appointments", { params: { path: { group_id: group.id }, query: { from, to, limit: 100, cursor } } }))),
    [group.id, from, to, refresh],
  );
  return (
    <section className="panel" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      <div className="search-row">
        <Field label="From">
          <input type="date" value={from} onChange={(e) => onRange({ from: e.target.value, to })} />
        </Field>
        <Field label="To" name="query.to" problem={sessions.problem}>
          <input type="date" value={to} onChange={(e) => onRange({ from, to: e.target.value })} />
        </Field>
      </div>
      <ProblemBanner problem={sessions.problem} onRetry={sessions.reload} claimed={["query.to"]} />
      {sessions.loading && !sessions.data ? <Loading label="Loading sessions…" /> : null}
      {sessions.data ? (
        <DataTable<Appointment>
          caption="Group sessions"
          rows={sessions.data}
          rowKey={(a) => a.id}
          empty={<EmptyState title="No sessions in these dates.">Book one with “Book a session” above, or widen the dates.</EmptyState>}
          columns={[
            {
              key: "when",
              header: "When",
              cell: (a) => (
                <Link to={paths.groupSession(group.id, a.id)}>
                  {wallDate(a.start)} {wallTime(a.start)}–{wallTime(a.end)}
                </Link>
              ),
            },
            { key: "code", header: "Code", cell: (a) => a.billing_code },
            { key: "status", header: "Status", cell: (a) => <span className={`status-badge ${a.status}`}>{a.status.replace("_", " ")}</span> },
          ]}
        />
      ) : null}
    </section>
  );
}

export default function GroupPage() {
  const { groupId = "" } = useParams();
  const { role } = useAuth();
  const loaded = useApi(() => ok(api().GET("/v1/groups/{group_id}", { params: { path: { group_id: groupId } } })), [groupId]);
  const [group, setGroup] = useEdited<Group>(loaded.data);
  const editable = GROUP_EDITORS.includes(role);
  const [range, setRange] = useState<Range>(() => ({ from: addDays(todayIso(), -28), to: addDays(todayIso(), 28) }));
  const [refresh, setRefresh] = useState(0);
  /** After a booking the session list shows the sessions just booked (moving to their dates when
   * they lie outside it; the API lists at most 93 days at a time), read again. */
  function booked(booking: Booking) {
    const days = booking.appointments.map((a) => wallDate(a.start)).sort();
    const first = days[0];
    const last = days[days.length - 1];
    if (first && last) {
      setRange((r) => {
        if (first >= r.from && last <= r.to) return r;
        const limit = addDays(first, MAX_RANGE_DAYS - 1);
        return { from: first, to: last < limit ? last : limit };
      });
    }
    setRefresh((n) => n + 1);
  }
  return (
    <>
      <PageHeader title={group ? `${group.name} (${group.initials})` : "Group"}>
        <p className="muted">
          <Link to="/groups">All groups</Link>
        </p>
      </PageHeader>
      <ProblemBanner problem={loaded.problem} onRetry={loaded.reload} />
      {loaded.loading && !group ? <Loading label="Loading group…" /> : null}
      {group ? (
        <>
          <Members group={group} editable={editable} onChanged={loaded.reload} />
          {editable ? <GroupBookingForm group={group} onBooked={booked} /> : null}
          <Sessions group={group} range={range} onRange={setRange} refresh={refresh} />
          <div className="grid-2">
            <Details key={`d${group.version}`} group={group} onSaved={setGroup} editable={editable} />
            <Sharing key={`s${group.version}`} group={group} onSaved={setGroup} editable={editable} />
          </div>
        </>
      ) : null}
    </>
  );
}
