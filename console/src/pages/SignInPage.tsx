import { useEffect, useState } from "react";
import { useLocation } from "react-router";
import { listDemoUsers, signInLocally, type DemoUser } from "../auth/local";
import { startCognitoSignIn } from "../auth/cognito";
import { EmptyState, Loading, ProblemBanner } from "../components";
import { config } from "../config";
import { asProblem, type ApiProblem } from "../api/problem";

const ROLE_ORDER = ["front_desk", "practitioner", "billing", "admin"];
const ROLE_LABEL: Record<string, string> = { admin: "Admin", practitioner: "Practitioner", front_desk: "Front desk", billing: "Billing" };

function LocalSignIn() {
  const [users, setUsers] = useState<DemoUser[] | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    listDemoUsers().then(
      (u) => live && setUsers(u),
      (e: unknown) => live && setProblem(asProblem(e)),
    );
    return () => {
      live = false;
    };
  }, [attempt]);
  async function pick(user: DemoUser) {
    setBusy(user.id);
    setProblem(null);
    try {
      await signInLocally(user.id);
    } catch (e) {
      setProblem(asProblem(e));
      setBusy(null);
    }
  }
  const sorted = (users ?? []).slice().sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) || a.name.localeCompare(b.name));
  return (
    <>
      <p>Local development: pick a demo user of Harbour Street Therapy.</p>
      <ProblemBanner
        problem={problem}
        onRetry={() => {
          setProblem(null);
          setAttempt((a) => a + 1);
        }}
      />
      {users === null && !problem ? <Loading label="Loading demo users…" /> : null}
      {users !== null && users.length === 0 ? <EmptyState title="No demo users. Run make run to seed the demo practice." /> : null}
      <ul className="user-list" aria-label="Demo users">
        {sorted.map((u) => (
          <li key={u.id}>
            <button type="button" className="user-pick" data-testid={`sign-in-${u.id}`} onClick={() => pick(u)} disabled={busy !== null} aria-busy={busy === u.id}>
              <span className="user-name">{u.name}</span>
              <span className="role-badge">{ROLE_LABEL[u.role] ?? u.role}</span>
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}

function CognitoSignIn() {
  const location = useLocation();
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const cfg = config();
  return (
    <>
      <p>Sign in with your practice account. You will be asked for your authenticator code.</p>
      <ProblemBanner problem={problem} />
      <button
        type="button"
        onClick={() => {
          if (cfg.auth === "cognito") startCognitoSignIn(cfg, location.pathname + location.search).catch((e: unknown) => setProblem(asProblem(e)));
        }}
      >
        Sign in
      </button>
    </>
  );
}

export function SignInPage() {
  useEffect(() => {
    document.title = "Sign in · Caseload";
  }, []);
  return (
    <main id="main" className="signin">
      <div className="signin-card">
        <h1>Sign in to Caseload</h1>
        {config().auth === "local" ? <LocalSignIn /> : <CognitoSignIn />}
      </div>
    </main>
  );
}
