/** /admin/rooms — rooms and the locations each belongs to. */
import { useState } from "react";
import { allPages, api, ifMatch, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { refreshReference } from "../../api/reference";
import type { Location, Room } from "../../api/types";
import { useAuth } from "../../auth/AuthProvider";
import { EmptyState, Field, FormDialog } from "../../components";
import { activeColumn, ResourcePage, type EditorProps } from "./ResourcePage";
import { useAction } from "./useAction";

function RoomDialog({ entity: room, locations, onClose, onSaved }: EditorProps<Room> & { locations: Location[] }) {
  const [form, setForm] = useState({ name: room?.name ?? "", location_ids: room?.location_ids ?? [], capacity: room?.capacity ? String(room.capacity) : "", active: room?.active ?? true });
  const action = useAction();
  async function submit() {
    const body = { name: form.name, location_ids: form.location_ids, capacity: form.capacity ? Number(form.capacity) : null, active: form.active };
    const saved = await action.run(() =>
      room
        ? ok(api().PATCH("/v1/rooms/{room_id}", { params: { path: { room_id: room.id }, header: { "If-Match": ifMatch(room.version) } }, body }))
        : ok(api().POST("/v1/rooms", { body })),
    );
    if (saved) onSaved();
  }
  const locError = action.problem?.errorFor("body.location_ids");
  return (
    <FormDialog
      title={room ? `Edit ${room.name}` : "New room"}
      onClose={onClose}
      onSubmit={submit}
      problem={action.problem}
      claimed={["body.name", "body.location_ids", "body.capacity"]}
      busy={action.busy}
      submitLabel="Save room"
    >
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
    </FormDialog>
  );
}

export default function RoomsPage() {
  const { role } = useAuth();
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
  return (
    <ResourcePage<Room>
      title="Rooms"
      newLabel="New room"
      caption="Rooms"
      loadingLabel="Loading rooms…"
      empty={<EmptyState title="No rooms yet." />}
      editable={role === "admin"}
      list={{ ...data, data: data.data?.[0] }}
      rowKey={(r) => r.id}
      label={(r) => r.name}
      afterWrite={refreshReference}
      remove={(r) => ok(api().DELETE("/v1/rooms/{room_id}", { params: { path: { room_id: r.id }, header: { "If-Match": ifMatch(r.version) } } }))}
      editor={(props) => <RoomDialog {...props} locations={locations} />}
      columns={[
        { key: "name", header: "Name", cell: (r) => r.name },
        { key: "locations", header: "Locations", cell: (r) => r.location_ids.map(locName).join(", ") },
        { key: "capacity", header: "Capacity", cell: (r) => r.capacity ?? "—" },
        activeColumn(),
      ]}
    />
  );
}
