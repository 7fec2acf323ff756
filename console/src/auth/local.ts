/** Local sign-in: the dev console server lists the demo practice's users and mints a local
 * token for the one picked. These endpoints exist only on a developer's machine. */
import { setToken } from "./session";

export type DemoUser = { id: string; name: string; role: string };

export async function listDemoUsers(): Promise<DemoUser[]> {
  const response = await fetch("/local/users", { cache: "no-store" });
  if (!response.ok) throw new Error(`The demo users could not be listed (${response.status})`);
  const body: unknown = await response.json();
  if (!Array.isArray(body)) throw new Error("The demo user list is not a list");
  return body.map((u: Record<string, unknown>) => ({
    id: String(u.id ?? u.user_id ?? ""),
    name: String(u.name ?? ""),
    role: String(u.role ?? ""),
  }));
}

export async function signInLocally(userId: string): Promise<void> {
  const response = await fetch("/local/token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user_id: userId }),
  });
  if (!response.ok) throw new Error(`Sign-in was refused (${response.status})`);
  const body = (await response.json()) as { token?: unknown };
  if (typeof body.token !== "string") throw new Error("Sign-in answered no token");
  setToken(body.token);
}
