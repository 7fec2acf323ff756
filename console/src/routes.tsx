/** Every screen of the console: its path, who it is for and its place in the nav.
 * Pages are code-split (React.lazy), so the first screen loads only the shell and itself.
 * To add a screen: one entry here (and `nav` to list it in the menu). */
import { lazy, type ComponentType, type LazyExoticComponent } from "react";
import { matchPath } from "react-router";
import type { Role } from "./api/types";

/** A code-split screen that can also be fetched ahead of its first render. */
type Screen = LazyExoticComponent<ComponentType> & { preload: () => Promise<unknown> };

function screen(load: () => Promise<{ default: ComponentType }>): Screen {
  return Object.assign(lazy(load), { preload: load });
}

export type AppRoute = {
  path: string;
  page: Screen;
  /** Roles that may open it (the API still enforces); absent = every role. */
  roles?: Role[];
  /** Listed in the main navigation under this label, in `order`. */
  nav?: { label: string; order: number };
};

export const ALL: Role[] = ["admin", "practitioner", "front_desk", "billing"];
export const SCHEDULERS: Role[] = ["admin", "front_desk", "practitioner"];
export const ENTITLEMENT_EDITORS: Role[] = ["admin", "front_desk", "billing"];
export const SESSION_EDITORS: Role[] = ["admin", "practitioner", "billing"];

export const routes: AppRoute[] = [
  // Front desk (calendar and booking)
  { path: "/calendar", page: screen(() => import("./pages/frontdesk/CalendarPage")), roles: ALL, nav: { label: "Calendar", order: 10 } },
  { path: "/book", page: screen(() => import("./pages/frontdesk/BookPage")), roles: SCHEDULERS },
  { path: "/appointments/:appointmentId", page: screen(() => import("./pages/frontdesk/AppointmentPage")), roles: ALL },
  // Clients
  { path: "/clients", page: screen(() => import("./pages/clients/ClientSearchPage")), roles: ALL, nav: { label: "Clients", order: 20 } },
  { path: "/clients/:clientId", page: screen(() => import("./pages/clients/ClientProfilePage")), roles: ALL },
  { path: "/clients/:clientId/packs/new", page: screen(() => import("./pages/clients/NewPackPage")), roles: ENTITLEMENT_EDITORS },
  { path: "/clients/:clientId/authorizations/new", page: screen(() => import("./pages/clients/NewAuthorizationPage")), roles: ENTITLEMENT_EDITORS },
  { path: "/clients/:clientId/sessions/new", page: screen(() => import("./pages/clients/SessionPage")), roles: SESSION_EDITORS },
  { path: "/clients/:clientId/sessions/:sessionId", page: screen(() => import("./pages/clients/SessionPage")), roles: SESSION_EDITORS },
  // Groups, notes, billing, admin, inbox: added by their screens' author below this line.
  { path: "/groups", page: screen(() => import("./pages/groups/GroupsPage")), roles: ["admin", "practitioner", "front_desk"], nav: { label: "Groups", order: 30 } },
  { path: "/groups/:groupId", page: screen(() => import("./pages/groups/GroupPage")), roles: ["admin", "practitioner", "front_desk"] },
  { path: "/groups/:groupId/sessions/:appointmentId", page: screen(() => import("./pages/groups/AttendancePage")), roles: ALL },
  { path: "/groups/:groupId/sessions/:appointmentId/note", page: screen(() => import("./pages/notes/GroupNotePage")), roles: ["admin", "practitioner"] },
  { path: "/clients/:clientId/sessions/:sessionId/note", page: screen(() => import("./pages/notes/SessionNotePage")), roles: ["admin", "practitioner"] },
  { path: "/clients/:clientId/notes", page: screen(() => import("./pages/notes/ClientNotesPage")), roles: ["admin", "practitioner"] },
  // Every role may open a note's address: the API answers who may read it (403/404 shown as a problem).
  { path: "/notes/:noteId", page: screen(() => import("./pages/notes/NotePage")) },
  { path: "/billing/invoices", page: screen(() => import("./pages/billing/InvoicesPage")), roles: ["admin", "front_desk", "billing"], nav: { label: "Billing", order: 40 } },
  { path: "/billing/claims", page: screen(() => import("./pages/billing/ClaimsPage")), roles: ["admin", "billing", "practitioner"], nav: { label: "Claims", order: 45 } },
  { path: "/billing/payers", page: screen(() => import("./pages/billing/PayersPage")), roles: ALL },
  { path: "/reports", page: screen(() => import("./pages/billing/ReportsPage")), roles: ALL, nav: { label: "Reports", order: 50 } },
  { path: "/admin", page: screen(() => import("./pages/admin/AdminPage")), roles: ["admin", "billing"], nav: { label: "Admin", order: 60 } },
  { path: "/admin/practice", page: screen(() => import("./pages/admin/PracticePage")), roles: ALL },
  { path: "/admin/locations", page: screen(() => import("./pages/admin/LocationsPage")), roles: ALL },
  { path: "/admin/rooms", page: screen(() => import("./pages/admin/RoomsPage")), roles: ALL },
  { path: "/admin/users", page: screen(() => import("./pages/admin/UsersPage")), roles: ALL },
  { path: "/admin/billing-codes", page: screen(() => import("./pages/admin/BillingCodesPage")), roles: ALL },
  { path: "/admin/note-templates", page: screen(() => import("./pages/admin/NoteTemplatesPage")), roles: ALL },
  { path: "/notifications", page: screen(() => import("./pages/notifications/InboxPage")), roles: ALL, nav: { label: "Inbox", order: 70 } },
  { path: "/settings/notifications", page: screen(() => import("./pages/notifications/PreferencesPage")), roles: ALL },
];

/** Paths other screens link to (one place to change a URL). */
export const paths = {
  calendar: "/calendar",
  book: "/book",
  appointment: (id: string) => `/appointments/${encodeURIComponent(id)}`,
  clients: "/clients",
  client: (id: string) => `/clients/${encodeURIComponent(id)}`,
  newPack: (clientId: string) => `/clients/${encodeURIComponent(clientId)}/packs/new`,
  newAuthorization: (clientId: string) => `/clients/${encodeURIComponent(clientId)}/authorizations/new`,
  newSession: (clientId: string) => `/clients/${encodeURIComponent(clientId)}/sessions/new`,
  session: (clientId: string, sessionId: string) => `/clients/${encodeURIComponent(clientId)}/sessions/${encodeURIComponent(sessionId)}`,
  /** The progress note of a client session (built by the notes screens). */
  sessionNote: (clientId: string, sessionId: string) =>
    `/clients/${encodeURIComponent(clientId)}/sessions/${encodeURIComponent(sessionId)}/note`,
  group: (groupId: string) => `/groups/${encodeURIComponent(groupId)}`,
  /** A group session's attendance grid. */
  groupSession: (groupId: string, appointmentId: string) => `/groups/${encodeURIComponent(groupId)}/sessions/${encodeURIComponent(appointmentId)}`,
};

export function navItems(role: Role): { path: string; label: string }[] {
  return routes
    .filter((r) => r.nav && (!r.roles || r.roles.includes(role)))
    .sort((a, b) => (a.nav?.order ?? 0) - (b.nav?.order ?? 0))
    .map((r) => ({ path: r.path, label: r.nav?.label ?? r.path }));
}


/** Start fetching the screen at `pathname` while the shell signs in and reads /v1/users/me,
 * so its code is there when the route renders (the browser caches the module). */
export function preloadScreen(pathname: string): void {
  const route = routes.find((r) => matchPath(r.path, pathname));
  void route?.page.preload().catch(() => undefined);  // a failed fetch shows when the route renders
}
