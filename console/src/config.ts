/** The console's run-time settings, read once from /config.json (the dev console server writes
 * it locally; deployed it is a static file next to index.html), so one build serves every stage. */
export type LocalConfig = { apiUrl: string; auth: "local" };
export type CognitoConfig = {
  apiUrl: string;
  auth: "cognito";
  cognitoDomain: string;
  clientId: string;
  redirectUri: string;
};
export type ConsoleConfig = LocalConfig | CognitoConfig;

let loaded: ConsoleConfig | null = null;

function isConfig(value: unknown): value is ConsoleConfig {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v.apiUrl !== "string") return false;
  if (v.auth === "local") return true;
  return (
    v.auth === "cognito" &&
    typeof v.cognitoDomain === "string" &&
    typeof v.clientId === "string" &&
    typeof v.redirectUri === "string"
  );
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  const body: unknown = await response.json();
  if (!isConfig(body)) throw new Error("/config.json lacks apiUrl or a known auth mode");
  loaded = { ...body, apiUrl: body.apiUrl.replace(/\/+$/, "") };
  return loaded;
}

export function config(): ConsoleConfig {
  if (!loaded) throw new Error("config() before loadConfig()");
  return loaded;
}
