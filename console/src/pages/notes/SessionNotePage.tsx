/** /clients/:clientId/sessions/:sessionId/note — the progress note of a client session (where
 * "save and add note" of the session form lands). A session booked from an appointment keeps
 * one note, found again by that appointment; otherwise a new note is written and opened at
 * /notes/:id afterwards. */
import { Link, useNavigate, useParams } from "react-router";
import { allPages, api, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { Loading, PageHeader, ProblemBanner } from "../../components";
import { paths } from "../../routes";
import { useEdited } from "../admin/useAction";
import { NoteEditor, type Note } from "./NoteEditor";

export default function SessionNotePage() {
  const { clientId = "", sessionId = "" } = useParams();
  const navigate = useNavigate();
  const loaded = useApi(async () => {
    const session = await ok(api().GET("/v1/clients/{client_id}/sessions/{session_id}", { params: { path: { client_id: clientId, session_id: sessionId } } }));
    let note: Note | null = null;
    if (session.appointment_id) {
      const notes = await allPages<Note>((cursor) => ok(api().GET("/v1/notes", { params: { query: { client_id: clientId, limit: 100, cursor } } })), { max: 10 });
      note = notes.find((n) => n.type === "progress" && n.appointment_id === session.appointment_id) ?? null;
    }
    return { session, note };
  }, [clientId, sessionId]);
  const [edited, setNote] = useEdited<Note | null>(loaded.data?.note);
  const note = edited ?? null;
  const session = loaded.data?.session;
  return (
    <>
      <PageHeader title="Progress note">
        {session ? (
          <p className="muted">
            Session of {session.date_of_service} · {session.billing_code} · {session.minutes} min ·{" "}
            <Link to={paths.session(clientId, sessionId)}>Session details</Link> · <Link to={`/clients/${encodeURIComponent(clientId)}/notes`}>Chart notes</Link>
          </p>
        ) : null}
      </PageHeader>
      <ProblemBanner problem={loaded.problem} onRetry={loaded.reload} />
      {loaded.loading && !loaded.data ? <Loading label="Loading the session…" /> : null}
      {session ? (
        <NoteEditor
          key={`${note?.id ?? "new"}-${note?.signed_at ?? "draft"}`}
          note={note}
          target={{ kind: "progress", clientId, appointmentId: session.appointment_id }}
          onSaved={(saved) => {
            setNote(saved);
            // without an appointment the note cannot be found from the session again: open its own page
            if (!session.appointment_id && !note) navigate(`/notes/${encodeURIComponent(saved.id)}`, { replace: true });
          }}
        />
      ) : null}
    </>
  );
}
