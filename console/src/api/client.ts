/** The one typed API client: openapi-fetch over the paths generated from console/openapi.json.
 * Pages call `ok(api().GET("/v1/...", {...}))`; no page writes its own request code.
 *
 * - auth: the bearer token from the session on every request; a 401 signs the user out.
 * - POST: an Idempotency-Key unless the caller gave one (a retried booking acts once).
 * - ETag/If-Match: `ifMatch(entity.version)` builds the header from any entity's version
 *   (list items and profiles carry it, so no extra read is needed before an update).
 * - errors: every non-2xx answer becomes an ApiProblem (problem+json with field errors). */
import createClient, { type Client, type Middleware } from "openapi-fetch";
import { config } from "../config";
import { clearToken, getToken } from "../auth/session";
import { ApiProblem } from "./problem";
import type { paths } from "./schema";

export type { paths, components } from "./schema";
export { ApiProblem } from "./problem";

const auth: Middleware = {
  onRequest({ request }) {
    const token = getToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    if (request.method === "POST" && !request.headers.has("Idempotency-Key")) {
      request.headers.set("Idempotency-Key", crypto.randomUUID());
    }
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) clearToken();
    return response;
  },
};

let client: Client<paths> | null = null;

export function api(): Client<paths> {
  if (!client) {
    client = createClient<paths>({ baseUrl: config().apiUrl });
    client.use(auth);
  }
  return client;
}

/** The If-Match value for an entity version (the API's ETag is the quoted version). */
export function ifMatch(version: number): string {
  return `"${version}"`;
}

/** The version an answer's ETag carries, if the API exposed it. */
export function etagVersion(response: Response): number | undefined {
  const tag = response.headers.get("ETag");
  const match = tag?.match(/^(?:W\/)?"(\d+)"$/);
  return match ? Number(match[1]) : undefined;
}

type Answer<D> = { data?: D; error?: unknown; response: Response };

/** The data of a 2xx answer; otherwise throws ApiProblem. */
export async function ok<D>(request: Promise<Answer<D>>): Promise<D> {
  let answer: Answer<D>;
  try {
    answer = await request;
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw ApiProblem.network(cause);
  }
  if (answer.response.ok) return answer.data as D;
  const body = typeof answer.error === "object" && answer.error !== null ? (answer.error as Record<string, unknown>) : { detail: String(answer.error ?? "") };
  throw new ApiProblem(answer.response.status, body);
}

/** Every page of a cursor-paginated list (small reference lists: rooms, locations, users; at
 * most `max` pages), or of a report for its CSV (`progress` hears the rows read so far). */
export async function allPages<T>(
  page: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor?: string | null }>,
  { max = 20, progress }: { max?: number; progress?: (text: string) => void } = {},
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < max; i++) {
    const answer = await page(cursor);
    items.push(...answer.items);
    progress?.(`Read ${items.length} rows…`);
    if (!answer.next_cursor) break;
    cursor = answer.next_cursor;
  }
  return items;
}
