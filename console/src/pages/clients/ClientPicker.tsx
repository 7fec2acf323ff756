import { useEffect, useId, useState } from "react";
import { api, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import type { Client } from "../../api/types";
import { FieldError } from "../../components";

/** Search a client by name and pick one (for booking, adding a group member, …). */
export function ClientPicker({ value, onChange, label = "Client", error }: {
  value: { id: string; name: string } | null;
  onChange: (client: { id: string; name: string } | null) => void;
  label?: string;
  error?: string;
}) {
  const id = useId();
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  useEffect(() => {
    const t = setTimeout(() => setQ(text.trim()), 250);
    return () => clearTimeout(t);
  }, [text]);
  const found = useApi(
    () => (q ? ok(api().GET("/v1/clients", { params: { query: { q, limit: 8 } } })).then((r) => r.items) : Promise.resolve([] as Client[])),
    [q],
  );
  if (value) {
    return (
      <div className="field">
        <span className="field-label" id={`${id}-label`} style={{ fontWeight: 600 }}>
          {label}
        </span>
        <div className="button-row" style={{ margin: 0 }} aria-labelledby={`${id}-label`}>
          <strong>{value.name}</strong>
          <button type="button" className="link-button" onClick={() => onChange(null)}>
            Change client
          </button>
        </div>
        <FieldError id={`${id}-error`} message={error} />
      </div>
    );
  }
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="search"
        value={text}
        placeholder="Type a last name"
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => setText(e.target.value)}
      />
      <FieldError id={`${id}-error`} message={error} />
      {q ? (
        <ul className="plain-list" aria-label="Matching clients">
          {found.loading ? <li className="muted">Searching…</li> : null}
          {found.problem ? <li className="field-error">{found.problem.title}</li> : null}
          {!found.loading && found.data?.length === 0 ? <li className="muted">No client matches “{q}”.</li> : null}
          {(found.data ?? []).map((c) => (
            <li key={c.id}>
              <button type="button" className="link-button" onClick={() => onChange({ id: c.id, name: `${c.first_name} ${c.last_name}` })}>
                Choose {c.first_name} {c.last_name}
                {c.date_of_birth ? ` (born ${c.date_of_birth})` : ""}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
