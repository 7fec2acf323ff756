/** The list + create + edit-in-place + delete screen of a practice resource (locations, rooms,
 * users, billing codes, note templates, payers): the page reads the list with useApi and says
 * how to write a row; this renders the header's "New …" button, the states, the table with
 * its Edit/Delete column, and the edit dialog. */
import { useState, type ReactNode } from "react";
import type { Loaded } from "../../api/hooks";
import { DataTable, Loading, PageHeader, ProblemBanner, type Column } from "../../components";
import { useAction } from "./useAction";

/** What the page's edit dialog gets: the row (null: a new one), cancel, and "saved". */
export type EditorProps<T> = { entity: T | null; onClose: () => void; onSaved: () => void };

/** The Status column: active or inactive. */
export function activeColumn<T extends { active: boolean }>(): Column<T> {
  return { key: "active", header: "Status", cell: (r) => <span className={`status-badge ${r.active ? "active" : "cancelled"}`}>{r.active ? "active" : "inactive"}</span> };
}

/** The row's name, marked when another screen linked here to have it fixed (?location=…). */
export function toFix(name: string, fix: boolean): ReactNode {
  return fix ? <strong>{name} (to fix)</strong> : name;
}

export function ResourcePage<T>({ title, newLabel, caption, loadingLabel, empty, editable, list, rowKey, label, columns, remove, canRemove, afterWrite, announce, editor }: {
  title: string;
  /** The header button, e.g. "New location". */
  newLabel: string;
  caption: string;
  loadingLabel: string;
  empty: ReactNode;
  editable: boolean;
  list: Loaded<T[]>;
  rowKey: (row: T) => string;
  /** The row's name in "Edit …", "Delete …?" and the messages. */
  label: (row: T) => string;
  columns: Column<T>[];
  /** Deletes a row (no Delete button without it). */
  remove?: (row: T) => Promise<unknown>;
  canRemove?: (row: T) => boolean;
  /** After any save or delete (e.g. refreshReference). */
  afterWrite?: () => void;
  /** Say what was done in a status line; `created` is the text after a create. */
  announce?: { created: string };
  editor: (props: EditorProps<T>) => ReactNode;
}) {
  const [editing, setEditing] = useState<T | "new" | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const removing = useAction();
  async function del(row: T) {
    if (!remove || !window.confirm(`Delete ${label(row)}?`)) return;
    const done = await removing.run(() => remove(row).then(() => true));
    if (done) {
      afterWrite?.();
      if (announce) setMessage(`${label(row)} deleted.`);
      list.reload();
    }
  }
  const actions: Column<T> = {
    key: "actions",
    header: "Actions",
    cell: (row) => {
      if (!editable) return "—";
      const edit = (
        <button type="button" className="secondary" onClick={() => setEditing(row)} aria-label={`Edit ${label(row)}`}>
          Edit
        </button>
      );
      if (!remove) return edit;
      return (
        <span className="button-row">
          {edit}
          {!canRemove || canRemove(row) ? (
            <button type="button" className="danger" disabled={removing.busy} onClick={() => void del(row)} aria-label={`Delete ${label(row)}`}>
              Delete
            </button>
          ) : null}
        </span>
      );
    },
  };
  return (
    <>
      <PageHeader
        title={title}
        actions={
          editable ? (
            <button type="button" onClick={() => setEditing("new")}>
              {newLabel}
            </button>
          ) : null
        }
      />
      {message ? (
        <p className="success" role="status">
          {message}
        </p>
      ) : null}
      <ProblemBanner problem={removing.problem} />
      <ProblemBanner problem={list.problem} onRetry={list.reload} />
      {list.loading && !list.data ? <Loading label={loadingLabel} /> : null}
      {list.data ? <DataTable<T> caption={caption} rows={list.data} rowKey={rowKey} empty={empty} columns={[...columns, actions]} /> : null}
      {editing
        ? editor({
            entity: editing === "new" ? null : editing,
            onClose: () => setEditing(null),
            onSaved: () => {
              afterWrite?.();
              if (announce) setMessage(editing === "new" ? announce.created : `${label(editing)} saved.`);
              setEditing(null);
              list.reload();
            },
          })
        : null}
    </>
  );
}
