import { useEffect, useState } from "react";
import { BrowserRouter, Navigate, Route, Routes, useNavigate } from "react-router";
import { AuthProvider, signOut, useAuth, useToken } from "./auth/AuthProvider";
import { CALLBACK_PATH, completeCognitoSignIn } from "./auth/cognito";
import { EmptyState, Loading, PageHeader, ProblemBanner } from "./components";
import { config } from "./config";
import { Layout } from "./layout/Layout";
import { SignInPage } from "./pages/SignInPage";
import { routes, type AppRoute } from "./routes";
import { asProblem, type ApiProblem } from "./api/problem";

function Guarded({ route }: { route: AppRoute }) {
  const { role } = useAuth();
  const Page = route.page;
  if (route.roles && !route.roles.includes(role)) {
    return (
      <>
        <PageHeader title="Not available" />
        <EmptyState title="Your role cannot open this screen.">Ask an administrator if you need it.</EmptyState>
      </>
    );
  }
  return <Page />;
}

function NotFound() {
  return (
    <>
      <PageHeader title="Page not found" />
      <EmptyState title="There is nothing at this address." />
    </>
  );
}

function CognitoCallback() {
  const navigate = useNavigate();
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  useEffect(() => {
    const cfg = config();
    if (cfg.auth !== "cognito") return;
    completeCognitoSignIn(cfg, new URL(window.location.href)).then(
      (next) => navigate(next, { replace: true }),
      (error: unknown) => setProblem(asProblem(error)),
    );
  }, [navigate]);
  return (
    <main id="main" className="centered">
      {problem ? <ProblemBanner problem={problem} /> : <Loading label="Signing in…" />}
      {problem ? (
        <a href="/" className="button">
          Start again
        </a>
      ) : null}
    </main>
  );
}

const home = routes.find((r) => r.path === "/calendar");

function SignedIn({ token }: { token: string }) {
  return (
    <AuthProvider
      token={token}
      fallback={(me) =>
        me.problem ? (
          <main id="main" className="centered">
            <ProblemBanner problem={me.problem} onRetry={me.reload} />
            <button type="button" className="secondary" onClick={signOut}>
              Sign out
            </button>
          </main>
        ) : (
          <main id="main" className="centered">
            <Loading label="Signing in…" />
          </main>
        )
      }
    >
      <Routes>
        <Route element={<Layout />}>
          {/* The first screen is the calendar, at the root itself (no redirect). */}
          <Route index element={home ? <Guarded route={home} /> : <Navigate to="/clients" replace />} />
          {routes.map((r) => (
            <Route key={r.path} path={r.path} element={<Guarded route={r} />} />
          ))}
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </AuthProvider>
  );
}

function Root() {
  const token = useToken();
  return (
    <Routes>
      <Route path={CALLBACK_PATH} element={<CognitoCallback />} />
      <Route path="*" element={token ? <SignedIn token={token} /> : <SignInPage />} />
    </Routes>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <Root />
    </BrowserRouter>
  );
}
