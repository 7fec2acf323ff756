/** Deployed sign-in: the Cognito user pool's hosted UI, authorization-code flow with PKCE
 * (RFC 7636). The verifier and state wait in sessionStorage for the redirect back; the code is
 * exchanged at the token endpoint and the URL is cleaned at once, so no code or token stays in
 * the address bar or history. The ID token is the API's bearer token. */
import type { CognitoConfig } from "../config";
import { clearToken, setToken } from "./session";

const VERIFIER = "caseload.pkce.verifier";
const STATE = "caseload.pkce.state";
const RETURN_TO = "caseload.pkce.return";
export const CALLBACK_PATH = "/auth/callback";

function base64url(bytes: Uint8Array): string {
  let text = "";
  bytes.forEach((b) => (text += String.fromCharCode(b)));
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(byteCount = 32): string {
  const bytes = new Uint8Array(byteCount);
  crypto.getRandomValues(bytes);
  return base64url(bytes);
}

export async function challengeFor(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

function domain(cfg: CognitoConfig): string {
  const d = cfg.cognitoDomain.replace(/\/+$/, "");
  return d.startsWith("http") ? d : `https://${d}`;
}

/** Sends the browser to the hosted UI. */
export async function startCognitoSignIn(cfg: CognitoConfig, returnTo: string): Promise<void> {
  const verifier = randomString(48);
  const state = randomString(16);
  sessionStorage.setItem(VERIFIER, verifier);
  sessionStorage.setItem(STATE, state);
  sessionStorage.setItem(RETURN_TO, returnTo);
  const query = new URLSearchParams({
    response_type: "code",
    client_id: cfg.clientId,
    redirect_uri: cfg.redirectUri,
    scope: "openid email profile",
    state,
    code_challenge: await challengeFor(verifier),
    code_challenge_method: "S256",
  });
  window.location.assign(`${domain(cfg)}/oauth2/authorize?${query.toString()}`);
}

/** Finishes the redirect back from the hosted UI; answers where to go next. */
export async function completeCognitoSignIn(cfg: CognitoConfig, url: URL): Promise<string> {
  const code = url.searchParams.get("code");
  const state = url.searchParams.get("state");
  const error = url.searchParams.get("error_description") ?? url.searchParams.get("error");
  const expectedState = sessionStorage.getItem(STATE);
  const verifier = sessionStorage.getItem(VERIFIER);
  const returnTo = sessionStorage.getItem(RETURN_TO) ?? "/";
  // Drop the code from the address bar and history before anything else.
  window.history.replaceState(null, "", CALLBACK_PATH);
  sessionStorage.removeItem(STATE);
  sessionStorage.removeItem(VERIFIER);
  sessionStorage.removeItem(RETURN_TO);
  if (error) throw new Error(`Sign-in failed: ${error}`);
  if (!code || !state || state !== expectedState || !verifier) {
    throw new Error("Sign-in could not be completed (the answer did not match this browser's request). Try again.");
  }
  const response = await fetch(`${domain(cfg)}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: cfg.clientId,
      code,
      redirect_uri: cfg.redirectUri,
      code_verifier: verifier,
    }).toString(),
  });
  if (!response.ok) throw new Error(`The sign-in service refused the code (${response.status})`);
  const tokens = (await response.json()) as { id_token?: unknown };
  if (typeof tokens.id_token !== "string") throw new Error("The sign-in service answered no ID token");
  setToken(tokens.id_token);
  return returnTo.startsWith("/") && !returnTo.startsWith("//") ? returnTo : "/";
}

export function cognitoSignOut(cfg: CognitoConfig): void {
  clearToken();
  const query = new URLSearchParams({ client_id: cfg.clientId, logout_uri: new URL("/", cfg.redirectUri).toString() });
  window.location.assign(`${domain(cfg)}/logout?${query.toString()}`);
}
