/** Client and group names for ids that lists carry (appointments name only client_id /
 * group_id): fetched once per id and shared, a few at a time. */
import { useEffect, useState } from "react";
import { api, ok } from "./client";

const known = new Map<string, string>();
const pending = new Map<string, Promise<void>>();

function fetchName(kind: "client" | "group", id: string): Promise<void> {
  const key = `${kind}:${id}`;
  let p = pending.get(key);
  if (!p) {
    const request =
      kind === "client"
        ? ok(api().GET("/v1/clients/{client_id}", { params: { path: { client_id: id } } })).then((c) => `${c.first_name} ${c.last_name}`)
        : ok(api().GET("/v1/groups/{group_id}", { params: { path: { group_id: id } } })).then((g) => g.name);
    p = request.then(
      (name) => {
        known.set(key, name);
      },
      () => {
        known.set(key, kind === "client" ? "Client" : "Group");
      },
    );
    pending.set(key, p);
  }
  return p;
}

export function rememberName(kind: "client" | "group", id: string, name: string): void {
  known.set(`${kind}:${id}`, name);
}

/** Names for the ids given; unknown ones appear as they arrive. */
export function useNames(kind: "client" | "group", ids: readonly string[]): Record<string, string> {
  const [, setVersion] = useState(0);
  const wanted = Array.from(new Set(ids)).sort().join(",");
  useEffect(() => {
    let live = true;
    const missing = wanted ? wanted.split(",").filter((id) => !known.has(`${kind}:${id}`)) : [];
    if (missing.length === 0) return;
    // Six requests in flight at all times (a browser's connections per host), not six
    // batches in a row: a name shows as soon as its own answer arrives.
    const queue = [...missing];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        await fetchName(kind, id);
        if (live) setVersion((v) => v + 1);
      }
    };
    const workers = Math.min(6, queue.length);
    for (let i = 0; i < workers; i += 1) void worker();
    return () => {
      live = false;
    };
  }, [kind, wanted]);
  const names: Record<string, string> = {};
  for (const id of wanted ? wanted.split(",") : []) {
    const name = known.get(`${kind}:${id}`);
    if (name) names[id] = name;
  }
  return names;
}
