/** /admin/locations — service locations with their Place of Service codes (checked by the API
 * against the CMS list); telehealth locations use 02 or 10. */
import { useState } from "react";
import { useSearchParams } from "react-router";
import { allPages, api, ifMatch, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { refreshReference } from "../../api/reference";
import type { Location } from "../../api/types";
import { useAuth } from "../../auth/AuthProvider";
import { EmptyState, Field, FormDialog } from "../../components";
import { AddressFields, addressOf, draftAddress } from "./AddressFields";
import { activeColumn, ResourcePage, toFix, type EditorProps } from "./ResourcePage";
import { orNull, useAction } from "./useAction";

function LocationDialog({ entity: location, onClose, onSaved }: EditorProps<Location>) {
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
  async function submit() {
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
    if (saved) onSaved();
  }
  return (
    <FormDialog
      wide
      title={location ? `Edit ${location.name}` : "New location"}
      onClose={onClose}
      onSubmit={submit}
      problem={action.problem}
      claimed={["body.name", "body.place_of_service", "body.telehealth", "body.phone", "body.npi", "body.address"]}
      busy={action.busy}
      submitLabel="Save location"
    >
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
    </FormDialog>
  );
}

export default function LocationsPage() {
  const { role } = useAuth();
  const [params] = useSearchParams();
  const highlight = params.get("location");
  const locations = useApi(() => allPages<Location>((c) => ok(api().GET("/v1/locations", { params: { query: { limit: 100, cursor: c } } }))), []);
  return (
    <ResourcePage<Location>
      title="Locations"
      newLabel="New location"
      caption="Locations"
      loadingLabel="Loading locations…"
      empty={<EmptyState title="No locations yet." />}
      editable={role === "admin"}
      list={locations}
      rowKey={(l) => l.id}
      label={(l) => l.name}
      announce={{ created: "Location created." }}
      afterWrite={refreshReference}
      remove={(l) => ok(api().DELETE("/v1/locations/{location_id}", { params: { path: { location_id: l.id }, header: { "If-Match": ifMatch(l.version) } } }))}
      editor={(props) => <LocationDialog {...props} />}
      columns={[
        { key: "name", header: "Name", cell: (l) => toFix(l.name, l.id === highlight) },
        { key: "pos", header: "Place of Service", cell: (l) => <span data-testid={`pos-${l.id}`}>{`${l.place_of_service} · ${l.place_of_service_name}`}</span> },
        { key: "tele", header: "Telehealth", cell: (l) => (l.telehealth ? "Yes" : "No") },
        { key: "address", header: "Address", cell: (l) => (l.address ? `${l.address.line1}, ${l.address.city}` : "—") },
        { key: "rooms", header: "Rooms", cell: (l) => l.room_count ?? 0 },
        activeColumn(),
      ]}
    />
  );
}
