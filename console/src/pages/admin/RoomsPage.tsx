/** /admin/rooms — rooms and the locations each belongs to. */
import { useState, type FormEvent } from "react";
import { allPages, api, ifMatch, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { refreshReference } from "../../api/reference";
import type { Location, Room } from "../../api/types";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable, Dialog, EmptyState, Field, Loading, PageHeader, ProblemBanner } from "../../components";
import { useAction } from "./useAction";

function RoomDialog({ room, locations, onClose, onSaved }: { room: Room | null; locations: Location[]; onClose: () => void; onSaved: () => void }) {
  const [form, setForm] = useState({ name: room?.name ?? "", location_ids: room?.location_ids ?? [], capacity: room?.capacity ? String(room.capacity) : "", active: room?.active ?? true });
  const action = useAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    const body = { name: form.name, location_ids: form.location_ids, capacity: form.capacity ? Number(form.capacity) : null, active: form.active };
    const saved = await action.run(() =>
      room
        ? ok(api().PATCH("/v1/rooms/{room_id}", { params: { path: { room_id: room.id }, header: { "If-Match": ifMatch(room.version) } }, body }))
        : ok(api().POST("/v1/rooms", { body })),
    );
    if (saved) {
      refreshReference();
      onSaved();
    }
  }
  const locError = action.problem?.errorFor("body.location_ids");
  return (
    <Dialog open title={room ? `Edit ${room.name}` : "New room"} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <ProblemBanner problem={action.problem} claimed={["body.name", "body.location_ids", "body.capacity"]} />
        <Field label="Name" name="body.name" problem={action.problem}>
          <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </Field>
        <fieldset className={locError ? "has-error" : undefined}>
          <legend>Locations</legend>
          {locations.map((l) => (
            <label key={l.id} className="check">
              <input
                type="checkbox"
                checked={form.location_ids.includes(l.id)}
                onChange={(e) => setForm({ ...form, location_ids: e.target.checked ? [...form.location_ids, l.id] : form.location_ids.filter((id) => id !== l.id) })}
              />
              {l.name}
            </label>
          ))}
          {locError ? <p className="field-error">{locError}</p> : null}
        </fieldset>
        <Field label="Capacity" name="body.capacity" problem={action.problem}>
          <input type="number" min={1} value={form.capacity} onChange={(e) => setForm({ ...form, capacity: e.target.value })} />
        </Field>
        <label className="check">
          <input type="checkbox" checked={form.active} onChange={(e) => setForm({ ...form, active: e.target.checked })} />
          Active
        </label>
        <div className="button-row">
          <button type="submit" disabled={action.busy}>
            Save room
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export default function RoomsPage() {
  const { role } = useAuth();
  const editable = role === "admin";
  const [editing, setEditing] = useState<Room | "new" | null>(null);
  const remove = useAction();
  const data = useApi(
    () =>
      Promise.all([
        allPages<Room>((c) => ok(api().GET("/v1/rooms", { params: { query: { limit: 100, cursor: c } } }))),
        allPages<Location>((c) => ok(api().GET("/v1/locations", { params: { query: { limit: 100, cursor: c } } }))),
      ]),
    [],
  );
  const locations = data.data?.[1] ?? [];
  const locName = (id: string) => locations.find((l) => l.id === id)?.name ?? id;
  async function del(r: Room) {
    if (!window.confirm(`Delete ${r.name}?`)) return;
    const done = await remove.run(() => ok(api().DELETE("/v1/rooms/{room_id}", { params: { path: { room_id: r.id }, header: { "If-Match": ifMatch(r.version) } } })).then(() => true));
    if (done) {
      refreshReference();
      data.reload();
    }
  }
  return (
    <>
      <PageHeader
        title="Rooms"
        actions={
          editable ? (
            <button type="button" onClick={() => setEditing("new")}>
              New room
            </button>
          ) : null
        }
      />
      <ProblemBanner problem={remove.problem} />
      <ProblemBanner problem={data.problem} onRetry={data.reload} />
      {data.loading && !data.data ? <Loading label="Loading rooms…" /> : null}
      {data.data ? (
        <DataTable<Room>
          caption="Rooms"
          rows={data.data[0]}
          rowKey={(r) => r.id}
          empty={<EmptyState title="No rooms yet." />}
          columns={[
            { key: "name", header: "Name", cell: (r) => r.name },
            { key: "locations", header: "Locations", cell: (r) => r.location_ids.map(locName).join(", ") },
            { key: "capacity", header: "Capacity", cell: (r) => r.capacity ?? "—" },
            { key: "active", header: "Status", cell: (r) => <span className={`status-badge ${r.active ? "active" : "cancelled"}`}>{r.active ? "active" : "inactive"}</span> },
            {
              key: "actions",
              header: "Actions",
              cell: (r) =>
                editable ? (
                  <span className="button-row">
                    <button type="button" className="secondary" onClick={() => setEditing(r)} aria-label={`Edit ${r.name}`}>
                      Edit
                    </button>
                    <button type="button" className="danger" disabled={remove.busy} onClick={() => void del(r)} aria-label={`Delete ${r.name}`}>
                      Delete
                    </button>
                  </span>
                ) : (
                  "—"
                ),
            },
          ]}
        />
      ) : null}
      {editing ? (
        <RoomDialog
          room={editing === "new" ? null : editing}
          locations={locations}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            data.reload();
          }}
        />
      ) : null}
    </>
  );
}
