import { Suspense, useState } from "react";
import { NavLink, Outlet, useLocation } from "react-router";
import { useAuth } from "../auth/AuthProvider";
import { Loading } from "../components";
import { navItems } from "../routes";

const ROLE_LABEL: Record<string, string> = {
  admin: "Admin",
  practitioner: "Practitioner",
  front_desk: "Front desk",
  billing: "Billing",
};

export function roleLabel(role: string): string {
  return ROLE_LABEL[role] ?? role;
}

/** The frame of every signed-in screen: skip link, header with the role-aware nav, main. */
export function Layout() {
  const { me, role, signOut } = useAuth();
  const location = useLocation();
  // The phone menu stays open only on the page it was opened on (navigating closes it).
  const [menuFor, setMenuFor] = useState<string | null>(null);
  const menuOpen = menuFor === location.pathname;
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">Caseload</div>
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuFor(menuOpen ? null : location.pathname)}
        >
          Menu
        </button>
        <nav id="main-nav" aria-label="Main" className={menuOpen ? "nav open" : "nav"}>
          <ul>
            {navItems(role).map((item) => (
              <li key={item.path}>
                <NavLink to={item.path}>{item.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="whoami">
          <span>
            {me.first_name} {me.last_name} <span className="role-badge">{roleLabel(role)}</span>
          </span>
          <button type="button" className="link-button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading label="Loading screen…" />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
