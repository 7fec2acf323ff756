/** /clients/:clientId/notes — a client's chart: every note, newest first, with a new note. */
import { useState } from "react";
import { Link, useParams } from "react-router";
import { api, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { EmptyState, Loading, PageHeader, ProblemBanner } from "../../components";
import { paths } from "../../routes";
import { NoteEditor, type Note } from "./NoteEditor";

function plain(html: string): string {
  const text = new DOMParser().parseFromString(html, "text/html").body.textContent ?? "";
  return text.length > 140 ? `${text.slice(0, 140)}…` : text;
}

export default function ClientNotesPage() {
  const { clientId = "" } = useParams();
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [writing, setWriting] = useState(false);
  const notes = useApi(() => ok(api().GET("/v1/notes", { params: { query: { client_id: clientId, limit: 50, cursor } } })), [clientId, cursor]);
  return (
    <>
      <PageHeader
        title="Chart notes"
        actions={
          <button type="button" onClick={() => setWriting((w) => !w)} aria-expanded={writing}>
            {writing ? "Close the new note" : "New progress note"}
          </button>
        }
      >
        <p className="muted">
          <Link to={paths.client(clientId)}>Client profile</Link>
        </p>
      </PageHeader>
      {writing ? (
        <section className="panel" aria-label="New progress note">
          <NoteEditor
            note={null}
            target={{ kind: "progress", clientId }}
            onSaved={() => {
              setWriting(false);
              notes.reload();
            }}
          />
        </section>
      ) : null}
      <ProblemBanner problem={notes.problem} onRetry={notes.reload} />
      {notes.loading && !notes.data ? <Loading label="Loading notes…" /> : null}
      {notes.data && notes.data.items.length === 0 ? <EmptyState title="No notes yet.">Write one from a session or with “New progress note”.</EmptyState> : null}
      {notes.data && notes.data.items.length > 0 ? (
        <ol className="plain-list note-list">
          {notes.data.items.map((n: Note) => (
            <li key={n.id}>
              <Link to={`/notes/${encodeURIComponent(n.id)}`}>
                {n.created_at.slice(0, 10)} · {n.type === "progress" ? "Progress note" : "Group note"}
              </Link>
              <span className={`status-badge ${n.signed_at ? "active" : "part_paid"}`}>{n.signed_at ? "signed" : "draft"}</span>
              <span className="muted small">{plain(n.body)}</span>
            </li>
          ))}
        </ol>
      ) : null}
      {notes.data?.next_cursor ? (
        <button type="button" className="secondary" onClick={() => setCursor(notes.data?.next_cursor ?? undefined)}>
          Older notes
        </button>
      ) : null}
    </>
  );
}
