/** /admin — the practice's settings, one link per screen. */
import { Link } from "react-router";
import { useAuth } from "../../auth/AuthProvider";
import { PageHeader } from "../../components";

const SCREENS = [
  { to: "/admin/practice", label: "Business information", text: "Name, contact, time zone, currency, billing NPI and tax id, claim submitter, booking and alert policies." },
  { to: "/admin/locations", label: "Locations", text: "Service locations and their Place of Service codes; telehealth locations." },
  { to: "/admin/rooms", label: "Rooms", text: "Rooms and the locations they belong to." },
  { to: "/admin/users", label: "Users and roles", text: "Staff accounts, roles, NPI and taxonomy of practitioners." },
  { to: "/admin/billing-codes", label: "Billing codes", text: "CPT/HCPCS or local item numbers, default length and charge, unit length, add-on codes." },
  { to: "/billing/payers", label: "Payers", text: "Insurance payers as the clearinghouse knows them." },
  { to: "/admin/note-templates", label: "Note templates", text: "Custom fields chart notes fill in." },
  { to: "/settings/notifications", label: "My notification preferences", text: "Which alerts the daily digest sends you." },
];

export default function AdminPage() {
  const { role } = useAuth();
  return (
    <>
      <PageHeader title="Admin" />
      {role !== "admin" ? <p className="muted">You can read these settings; changes are made by an administrator{role === "billing" ? " (billing codes and payers: billing staff too)" : ""}.</p> : null}
      <ul className="entitlements">
        {SCREENS.map((s) => (
          <li key={s.to} className="entitlement">
            <h2 className="admin-link">
              <Link to={s.to}>{s.label}</Link>
            </h2>
            <p className="muted small">{s.text}</p>
          </li>
        ))}
      </ul>
    </>
  );
}
