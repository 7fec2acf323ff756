/**
 * Writing, signing and adding addenda to one chart note. A progress note has one body; a
 * group note has a shared body (copied into every attended member's chart) and an optional
 * part per member. Custom fields come from the practice's note templates. Once signed the
 * note is shown read-only and only a dated addendum can be added.
 */
import { lazy, Suspense, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api, ifMatch, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import type { components } from "../../api/schema";
import { allPages } from "../../api/client";
import { Field, Loading, ProblemBanner } from "../../components";
import { useAction } from "../admin/useAction";
import "./notes.css";

const RichTextEditor = lazy(() => import("./RichTextEditor"));

export type Note = components["schemas"]["Note"];
export type NoteTemplate = components["schemas"]["NoteTemplate"];
type TemplateField = components["schemas"]["TemplateField"];
type Values = Record<string, unknown>;

export type NoteTarget =
  | { kind: "progress"; clientId: string; appointmentId?: string | null }
  | { kind: "group"; appointmentId: string; members: { client_id: string; client_name: string }[] };

function useTemplates() {
  return useApi(
    () =>
      allPages<NoteTemplate>((cursor) => ok(api().GET("/v1/note-templates", { params: { query: { limit: 100, cursor } } }))).then(
        (all) => all.filter((t) => t.active),
      ),
    [],
  );
}

function Rich({ label, value, onChange, error }: { label: string; value: string; onChange: (html: string) => void; error?: string }) {
  const errorId = error ? `err-${label.replace(/\W+/g, "-")}` : undefined;
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <Suspense fallback={<Loading label="Loading editor…" />}>
        <RichTextEditor label={label} value={value} onChange={onChange} invalid={Boolean(error)} errorId={errorId} />
      </Suspense>
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

function TemplateFieldInput({ spec, value, onChange, problem }: {
  spec: TemplateField;
  value: unknown;
  onChange: (value: unknown) => void;
  problem: ReturnType<typeof useAction>["problem"];
}) {
  const name = `body.fields.${spec.key}`;
  const label = `${spec.label}${spec.required ? " (required)" : ""}`;
  if (spec.type === "rich_text") {
    return <Rich label={label} value={typeof value === "string" ? value : ""} onChange={onChange} error={problem?.errorFor(name)} />;
  }
  if (spec.type === "boolean") {
    return (
      <Field label={label} name={name} problem={problem}>
        <select value={value === true ? "yes" : value === false ? "no" : ""} onChange={(e) => onChange(e.target.value === "" ? null : e.target.value === "yes")}>
          <option value="">—</option>
          <option value="yes">Yes</option>
          <option value="no">No</option>
        </select>
      </Field>
    );
  }
  if (spec.type === "choice") {
    return (
      <Field label={label} name={name} problem={problem}>
        <select value={typeof value === "string" ? value : ""} onChange={(e) => onChange(e.target.value || null)}>
          <option value="">—</option>
          {(spec.options ?? []).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </Field>
    );
  }
  return (
    <Field label={label} name={name} problem={problem}>
      <input
        type={spec.type === "number" ? "number" : spec.type === "date" ? "date" : "text"}
        step={spec.type === "number" ? "any" : undefined}
        value={value === null || value === undefined ? "" : String(value)}
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}

function fieldText(spec: Record<string, unknown> | undefined, value: unknown): string {
  if (value === true) return "Yes";
  if (value === false) return "No";
  if (value === null || value === undefined || value === "") return "—";
  return spec?.type === "rich_text" ? "" : String(value);
}

/** A signed (or copied) note, read-only, with its addenda. */
export function NoteView({ note, templates, names = {} }: { note: Note; templates: NoteTemplate[]; names?: Record<string, string> }) {
  const template = templates.find((t) => t.id === note.template_id);
  const specs = (template?.fields ?? []) as Record<string, unknown>[];
  return (
    <article className="note-view" aria-label="Note">
      {Object.keys(note.fields).length > 0 ? (
        <dl className="facts">
          {Object.entries(note.fields).map(([key, value]) => {
            const spec = specs.find((s) => s.key === key);
            const text = fieldText(spec, value);
            return (
              <div key={key} className="note-field">
                <dt>{typeof spec?.label === "string" ? spec.label : key}</dt>
                {spec?.type === "rich_text" ? (
                  <dd className="note-html" dangerouslySetInnerHTML={{ __html: String(value) }} />
                ) : (
                  <dd>{text}</dd>
                )}
              </div>
            );
          })}
        </dl>
      ) : null}
      <h2>{note.type === "progress" ? "Note" : "Shared part"}</h2>
      {/* The API cleans every body to its HTML allow-list before storing it. */}
      <div className="note-html" data-testid="note-body" dangerouslySetInnerHTML={{ __html: note.body || "<p>(empty)</p>" }} />
      {note.type === "group_member" && note.member_part ? (
        <>
          <h2>This member's part</h2>
          <div className="note-html" dangerouslySetInnerHTML={{ __html: note.member_part }} />
        </>
      ) : null}
      {note.type === "group" && note.member_parts && Object.keys(note.member_parts).length > 0 ? (
        <MemberPartsView parts={note.member_parts} names={names} />
      ) : null}
    </article>
  );
}

function MemberPartsView({ parts, names }: { parts: Record<string, string>; names: Record<string, string> }) {
  return (
    <>
      <h2>Per-member parts</h2>
      {Object.entries(parts).map(([clientId, html]) => (
        <section key={clientId} className="member-part" aria-label={`Part for ${names[clientId] ?? clientId}`}>
          <h3>
            <Link to={`/clients/${encodeURIComponent(clientId)}`}>{names[clientId] ?? clientId}</Link>
          </h3>
          <div className="note-html" dangerouslySetInnerHTML={{ __html: html }} />
        </section>
      ))}
    </>
  );
}

function Addenda({ note, onChanged }: { note: Note; onChanged: (note: Note) => void }) {
  const [text, setText] = useState("");
  const action = useAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    const saved = await action.run(() => ok(api().POST("/v1/notes/{note_id}/addenda", { params: { path: { note_id: note.id } }, body: { text } })));
    if (saved) {
      setText("");
      onChanged(saved);
    }
  }
  return (
    <section className="panel" aria-labelledby="addenda-title">
      <h2 id="addenda-title">Addenda</h2>
      {note.addenda.length === 0 ? <p className="muted">No addenda yet.</p> : null}
      <ol className="plain-list">
        {note.addenda.map((a, i) => (
          <li key={`${a.at}-${i}`}>
            <p className="muted small">
              {a.at.replace("T", " ").slice(0, 16)} · {a.by}
            </p>
            <div className="note-html" dangerouslySetInnerHTML={{ __html: a.text }} />
          </li>
        ))}
      </ol>
      {note.type !== "group_member" ? (
        <form onSubmit={submit} noValidate>
          <ProblemBanner problem={action.problem} claimed={["body.text"]} />
          <Field label="Add a dated addendum" name="body.text" problem={action.problem}>
            <textarea rows={3} value={text} onChange={(e) => setText(e.target.value)} />
          </Field>
          <button type="submit" disabled={action.busy || !text.trim()}>
            Add addendum
          </button>
        </form>
      ) : null}
    </section>
  );
}

/** The note editor: `note` absent writes a new one for `target`. */
export function NoteEditor({ target, note, onSaved }: { target: NoteTarget; note: Note | null; onSaved: (note: Note) => void }) {
  const templates = useTemplates();
  const [templateId, setTemplateId] = useState<string>(note?.template_id ?? "");
  const [values, setValues] = useState<Values>(note?.fields ?? {});
  const [body, setBody] = useState(note?.body ?? "");
  const [parts, setParts] = useState<Record<string, string>>(note?.member_parts ?? {});
  const [saved, setSaved] = useState<string | null>(null);
  const action = useAction();

  if (templates.loading && !templates.data) return <Loading label="Loading note templates…" />;
  const list = templates.data ?? [];
  const template = list.find((t) => t.id === templateId);
  const specs = (template?.fields ?? []) as unknown as TemplateField[];
  const locked = Boolean(note?.signed_at) || note?.type === "group_member";

  if (note && locked) {
    return (
      <>
        <p className="success" role="status">
          {note.signed_at ? `Signed ${note.signed_at.replace("T", " ").slice(0, 16)} by ${note.signed_by ?? "—"}. The note is locked; add an addendum to correct it.` : "This is a member's copy of a group note; edit the group note."}
        </p>
        {note.type === "group_member" && note.group_note_id ? (
          <p>
            <Link to={`/notes/${encodeURIComponent(note.group_note_id)}`}>Open the group note</Link>
          </p>
        ) : null}
        <NoteView note={note} templates={list} names={target.kind === "group" ? Object.fromEntries(target.members.map((m) => [m.client_id, m.client_name])) : {}} />
        {note.signed_at ? <Addenda note={note} onChanged={onSaved} /> : null}
      </>
    );
  }

  const fields: Values = {};
  for (const spec of specs) {
    const v = values[spec.key];
    if (v !== undefined && v !== null && v !== "") fields[spec.key] = spec.type === "number" && typeof v === "string" ? Number(v) : v;
  }
  const memberParts = Object.fromEntries(Object.entries(parts).filter(([, html]) => html.replace(/<[^>]*>|&nbsp;|\s/g, "") !== ""));

  async function save(): Promise<Note | undefined> {
    setSaved(null);
    const result = await action.run(() => {
      if (note) {
        return ok(
          api().PATCH("/v1/notes/{note_id}", {
            params: { path: { note_id: note.id }, header: { "If-Match": ifMatch(note.version) } },
            body: { body, fields, ...(target.kind === "group" ? { member_parts: memberParts } : {}) },
          }),
        );
      }
      return ok(
        api().POST("/v1/notes", {
          body:
            target.kind === "progress"
              ? { type: "progress", client_id: target.clientId, appointment_id: target.appointmentId ?? null, template_id: templateId || null, fields, body }
              : { type: "group", appointment_id: target.appointmentId, template_id: templateId || null, fields, body, member_parts: memberParts },
        }),
      );
    });
    if (result) {
      setSaved("Saved.");
      onSaved(result);
    }
    return result;
  }

  async function sign() {
    const current = await save();
    if (!current) return;
    const signed = await action.run(() =>
      ok(api().POST("/v1/notes/{note_id}/sign", { params: { path: { note_id: current.id }, header: { "If-Match": ifMatch(current.version) } } })),
    );
    if (signed) onSaved(signed);
  }

  const claimed = ["body.body", "body.template_id", "body.member_parts", ...specs.map((s) => `body.fields.${s.key}`)];
  return (
    <form
      className="note-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      noValidate
    >
      <ProblemBanner problem={templates.problem} onRetry={templates.reload} />
      <ProblemBanner problem={action.problem} claimed={claimed} />
      {saved ? (
        <p className="success" role="status">
          {saved}
        </p>
      ) : null}
      <Field label="Note template" name="body.template_id" problem={action.problem} hint={note ? "The template is chosen when the note is created." : undefined}>
        <select value={templateId} onChange={(e) => setTemplateId(e.target.value)} disabled={Boolean(note)}>
          <option value="">No template</option>
          {list.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </Field>
      {specs.length > 0 ? (
        <fieldset>
          <legend>{template?.name} fields</legend>
          <div className="form-grid">
            {specs.map((spec) => (
              <TemplateFieldInput key={spec.key} spec={spec} value={values[spec.key]} onChange={(v) => setValues((old) => ({ ...old, [spec.key]: v }))} problem={action.problem} />
            ))}
          </div>
        </fieldset>
      ) : null}
      <Rich label={target.kind === "group" ? "Shared part (copied to every member who attended)" : "Progress note"} value={body} onChange={setBody} error={action.problem?.errorFor("body.body")} />
      {target.kind === "group" ? (
        <fieldset>
          <legend>Per-member parts (optional, only in that member's note)</legend>
          {target.members.length === 0 ? <p className="muted">Nobody is marked attended yet: mark attendance first.</p> : null}
          {target.members.map((m) => (
            <Rich
              key={m.client_id}
              label={`Part for ${m.client_name}`}
              value={parts[m.client_id] ?? ""}
              onChange={(html) => setParts((old) => ({ ...old, [m.client_id]: html }))}
              error={action.problem?.errorFor(`body.member_parts.${m.client_id}`)}
            />
          ))}
        </fieldset>
      ) : null}
      <div className="button-row">
        <button type="submit" disabled={action.busy}>
          Save draft
        </button>
        <button type="button" className="secondary" disabled={action.busy} onClick={() => void sign()}>
          Sign and lock
        </button>
        {action.busy ? (
          <span role="status" className="muted small">
            Saving…
          </span>
        ) : null}
      </div>
    </form>
  );
}

export { useTemplates };
