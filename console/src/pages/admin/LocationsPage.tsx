/** /admin/locations — service locations with their Place of Service codes (checked by the API
 * against the CMS list); telehealth locations use 02 or 10. */
import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { allPages, api, ifMatch, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { refreshReference } from "../../api/reference";
import type { Location } from "../../api/types";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable, Dialog, EmptyState, Field, Loading, PageHeader, ProblemBanner } from "../../components";
import { AddressFields, addressOf, draftAddress } from "./AddressFields";
import { orNull, useAction } from "./useAction";

function LocationDialog({ location, onClose, onSaved }: { location: Location | null; onClose: () => void; onSaved: () => void }) {
  const [form, setForm] = useState({
    name: location?.name ?? "",
    telehealth: location?.telehealth ?? false,
    place_of_service: location?.place_of_service ?? "",
    phone: location?.phone ?? "",
    npi: location?.npi ?? "",
    active: location?.active ?? true,
    address: draftAddress(location?.address),
  });
  const action = useAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    const body = {
      name: form.name,
      telehealth: form.telehealth,
      place_of_service: orNull(form.place_of_service),
      phone: orNull(form.phone),
      npi: orNull(form.npi),
      active: form.active,
      address: addressOf(form.address),
    };
    const saved = await action.run(() =>
      location
        ? ok(api().PATCH("/v1/locations/{location_id}", { params: { path: { location_id: location.id }, header: { "If-Match": ifMatch(location.version) } }, body }))
        : ok(api().POST("/v1/locations", { body })),
    );
    if (saved) {
      refreshReference();
      onSaved();
    }
  }
  return (
    <Dialog open wide title={location ? `Edit ${location.name}` : "New location"} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <ProblemBanner problem={action.problem} claimed={["body.name", "body.place_of_service", "body.telehealth", "body.phone", "body.npi", "body.address"]} />
        <div className="form-grid">
          <Field label="Name" name="body.name" problem={action.problem}>
            <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </Field>
          <Field label="Place of Service code" name="body.place_of_service" problem={action.problem} hint="Two digits from the CMS list, e.g. 11 Office, 02 or 10 for telehealth; blank: 11, or the telehealth default.">
            <input inputMode="numeric" maxLength={2} value={form.place_of_service} onChange={(e) => setForm({ ...form, place_of_service: e.target.value })} />
          </Field>
          <Field label="Phone" name="body.phone" problem={action.problem}>
            <input type="tel" value={form.phone} onChange={(e) => setForm({ ...form, phone: e.target.value })} />
          </Field>
          <Field label="Location NPI" name="body.npi" problem={action.problem}>
            <input value={form.npi} onChange={(e) => setForm({ ...form, npi: e.target.value })} />
          </Field>
        </div>
        <label className="check">
          <input type="checkbox" checked={form.telehealth} onChange={(e) => setForm({ ...form, telehealth: e.target.checked })} />
          Telehealth
        </label>
        <label className="check">
          <input type="checkbox" checked={form.active} onChange={(e) => setForm({ ...form, active: e.target.checked })} />
          Active
        </label>
        <AddressFields legend="Address" name="body.address" value={form.address} onChange={(address) => setForm({ ...form, address })} problem={action.problem} />
        <div className="button-row">
          <button type="submit" disabled={action.busy}>
            Save location
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export default function LocationsPage() {
  const { role } = useAuth();
  const editable = role === "admin";
  const [params] = useSearchParams();
  const highlight = params.get("location");
  const [editing, setEditing] = useState<Location | "new" | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const remove = useAction();
  const locations = useApi(() => allPages<Location>((c) => ok(api().GET("/v1/locations", { params: { query: { limit: 100, cursor: c } } }))), []);
  async function del(l: Location) {
    if (!window.confirm(`Delete ${l.name}?`)) return;
    const done = await remove.run(() => ok(api().DELETE("/v1/locations/{location_id}", { params: { path: { location_id: l.id }, header: { "If-Match": ifMatch(l.version) } } })).then(() => true));
    if (done) {
      refreshReference();
      setMessage(`${l.name} deleted.`);
      locations.reload();
    }
  }
  return (
    <>
      <PageHeader
        title="Locations"
        actions={
          editable ? (
            <button type="button" onClick={() => setEditing("new")}>
              New location
            </button>
          ) : null
        }
      />
      {message ? (
        <p className="success" role="status">
          {message}
        </p>
      ) : null}
      <ProblemBanner problem={remove.problem} />
      <ProblemBanner problem={locations.problem} onRetry={locations.reload} />
      {locations.loading && !locations.data ? <Loading label="Loading locations…" /> : null}
      {locations.data ? (
        <DataTable<Location>
          caption="Locations"
          rows={locations.data}
          rowKey={(l) => l.id}
          empty={<EmptyState title="No locations yet." />}
          columns={[
            { key: "name", header: "Name", cell: (l) => (l.id === highlight ? <strong>{l.name} (to fix)</strong> : l.name) },
            { key: "pos", header: "Place of Service", cell: (l) => <span data-testid={`pos-${l.id}`}>{`${l.place_of_service} · ${l.place_of_service_name}`}</span> },
            { key: "tele", header: "Telehealth", cell: (l) => (l.telehealth ? "Yes" : "No") },
            { key: "address", header: "Address", cell: (l) => (l.address ? `${l.address.line1}, ${l.address.city}` : "—") },
            { key: "rooms", header: "Rooms", cell: (l) => l.room_count ?? 0 },
            { key: "active", header: "Status", cell: (l) => <span className={`status-badge ${l.active ? "active" : "cancelled"}`}>{l.active ? "active" : "inactive"}</span> },
            {
              key: "actions",
              header: "Actions",
              cell: (l) =>
                editable ? (
                  <span className="button-row">
                    <button type="button" className="secondary" onClick={() => setEditing(l)} aria-label={`Edit ${l.name}`}>
                      Edit
                    </button>
                    <button type="button" className="danger" disabled={remove.busy} onClick={() => void del(l)} aria-label={`Delete ${l.name}`}>
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
        <LocationDialog
          location={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setMessage(editing === "new" ? "Location created." : `${editing.name} saved.`);
            setEditing(null);
            locations.reload();
          }}
        />
      ) : null}
    </>
  );
}
