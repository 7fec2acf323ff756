/** /admin/note-templates — the practice's note templates: custom fields (key, label, type,
 * required, options of a choice) that chart notes fill in. Admins edit. */
import { useState } from "react";
import { allPages, api, ifMatch, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import type { components } from "../../api/schema";
import { useAuth } from "../../auth/AuthProvider";
import { EmptyState, Field, FormDialog } from "../../components";
import { activeColumn, ResourcePage, type EditorProps } from "./ResourcePage";
import { useAction } from "./useAction";

type NoteTemplate = components["schemas"]["NoteTemplate"];
type TemplateField = components["schemas"]["TemplateField"];
type FieldType = TemplateField["type"];
type Draft = { key: string; label: string; type: FieldType; required: boolean; options: string };
const TYPES: FieldType[] = ["text", "rich_text", "number", "boolean", "date", "choice"];

function draftOf(f: Record<string, unknown>): Draft {
  return {
    key: String(f.key ?? ""),
    label: String(f.label ?? ""),
    type: (f.type as FieldType) ?? "text",
    required: f.required === true,
    options: Array.isArray(f.options) ? f.options.join(", ") : "",
  };
}

function TemplateDialog({ entity: template, onClose, onSaved }: EditorProps<NoteTemplate>) {
  const [name, setName] = useState(template?.name ?? "");
  const [active, setActive] = useState(template?.active ?? true);
  const [fields, setFields] = useState<Draft[]>(template ? template.fields.map(draftOf) : [{ key: "", label: "", type: "text", required: false, options: "" }]);
  const action = useAction();
  async function submit() {
    const body = {
      name,
      active,
      fields: fields.map((f) => ({
        key: f.key,
        label: f.label,
        type: f.type,
        required: f.required,
        options: f.type === "choice" ? f.options.split(",").map((o) => o.trim()).filter(Boolean) : [],
      })),
    };
    const saved = await action.run(() =>
      template
        ? ok(api().PATCH("/v1/note-templates/{note_template_id}", { params: { path: { note_template_id: template.id }, header: { "If-Match": ifMatch(template.version) } }, body }))
        : ok(api().POST("/v1/note-templates", { body })),
    );
    if (saved) onSaved();
  }
  const set = (i: number, change: Partial<Draft>) => setFields((old) => old.map((f, n) => (n === i ? { ...f, ...change } : f)));
  return (
    <FormDialog
      wide
      title={template ? `Edit ${template.name}` : "New note template"}
      onClose={onClose}
      onSubmit={submit}
      problem={action.problem}
      claimed={["body.name", "body.fields"]}
      busy={action.busy}
      submitLabel="Save template"
      extraButtons={
        <button type="button" className="secondary" onClick={() => setFields((old) => [...old, { key: "", label: "", type: "text", required: false, options: "" }])}>
          Add a field
        </button>
      }
    >
      <Field label="Template name" name="body.name" problem={action.problem}>
        <input value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <label className="check">
        <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
        Active (offered when writing notes)
      </label>
      {fields.map((f, i) => (
        <fieldset key={i}>
          <legend>Field {i + 1}</legend>
          <div className="form-grid">
            <Field label="Key (a-z, 0-9, _)" name={`body.fields.${i}.key`} problem={action.problem}>
              <input value={f.key} onChange={(e) => set(i, { key: e.target.value })} />
            </Field>
            <Field label="Label" name={`body.fields.${i}.label`} problem={action.problem}>
              <input value={f.label} onChange={(e) => set(i, { label: e.target.value })} />
            </Field>
            <Field label="Type" name={`body.fields.${i}.type`} problem={action.problem}>
              <select value={f.type} onChange={(e) => set(i, { type: e.target.value as FieldType })}>
                {TYPES.map((t) => (
                  <option key={t} value={t}>
                    {t.replace("_", " ")}
                  </option>
                ))}
              </select>
            </Field>
            {f.type === "choice" ? (
              <Field label="Options (comma-separated)" name={`body.fields.${i}.options`} problem={action.problem}>
                <input value={f.options} onChange={(e) => set(i, { options: e.target.value })} />
              </Field>
            ) : null}
          </div>
          <label className="check">
            <input type="checkbox" checked={f.required} onChange={(e) => set(i, { required: e.target.checked })} />
            Required
          </label>
          <button type="button" className="secondary" disabled={fields.length === 1} onClick={() => setFields((old) => old.filter((_, n) => n !== i))} aria-label={`Remove field ${i + 1}`}>
            Remove field
          </button>
        </fieldset>
      ))}
    </FormDialog>
  );
}

export default function NoteTemplatesPage() {
  const { role } = useAuth();
  const templates = useApi(() => allPages<NoteTemplate>((c) => ok(api().GET("/v1/note-templates", { params: { query: { limit: 100, cursor: c } } }))), []);
  return (
    <ResourcePage<NoteTemplate>
      title="Note templates"
      newLabel="New template"
      caption="Note templates"
      loadingLabel="Loading templates…"
      empty={<EmptyState title="No note templates yet.">Notes can still be written without one.</EmptyState>}
      editable={role === "admin"}
      list={templates}
      rowKey={(t) => t.id}
      label={(t) => t.name}
      editor={(props) => <TemplateDialog {...props} />}
      columns={[
        { key: "name", header: "Template", cell: (t) => t.name },
        { key: "fields", header: "Fields", cell: (t) => t.fields.map((f) => `${String(f.label)}${f.required ? " *" : ""}`).join(", ") },
        activeColumn(),
      ]}
    />
  );
}
