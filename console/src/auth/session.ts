/** The bearer token lives in sessionStorage only (gone when the tab closes; never in a URL or
 * localStorage). Listeners hear sign-in and sign-out, including a 401 from the API. */
const KEY = "caseload.token";
type Listener = () => void;
const listeners = new Set<Listener>();

export function getToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setToken(token: string): void {
  sessionStorage.setItem(KEY, token);
  listeners.forEach((l) => l());
}

export function clearToken(): void {
  if (sessionStorage.getItem(KEY) === null) return;
  sessionStorage.removeItem(KEY);
  listeners.forEach((l) => l());
}

export function onTokenChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The claims of a JWT, unverified (the API verifies; the console only reads the expiry). */
export function tokenClaims(token: string): Record<string, unknown> {
  try {
    const part = token.split(".")[1] ?? "";
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
    const claims: unknown = JSON.parse(json);
    return typeof claims === "object" && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function isExpired(token: string, now = Date.now()): boolean {
  const exp = tokenClaims(token).exp;
  return typeof exp === "number" && exp * 1000 <= now;
}
