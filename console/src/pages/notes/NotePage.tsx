/** /notes/:noteId — one chart note: edit while unsigned, read-only with addenda once signed.
 * A role that may not read notes (front desk, billing) sees the API's problem, never content. */
import { Link, useParams } from "react-router";
import { api, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { Loading, PageHeader, ProblemBanner } from "../../components";
import { paths } from "../../routes";
import { useEdited } from "../admin/useAction";
import { GroupNoteBody } from "./GroupNotePage";
import { NoteEditor, type Note } from "./NoteEditor";

export default function NotePage() {
  const { noteId = "" } = useParams();
  const loaded = useApi(() => ok(api().GET("/v1/notes/{note_id}", { params: { path: { note_id: noteId } } })), [noteId]);
  const [note, setNote] = useEdited<Note>(loaded.data);
  const title = note ? (note.type === "progress" ? "Progress note" : note.type === "group" ? "Group note" : "Group note (member copy)") : "Note";
  return (
    <>
      <PageHeader title={title}>
        {note?.client_id ? (
          <p className="muted">
            <Link to={paths.client(note.client_id)}>Client profile</Link> · <Link to={`/clients/${encodeURIComponent(note.client_id)}/notes`}>Chart notes</Link>
          </p>
        ) : null}
        {note?.type === "group" && note.group_id && note.appointment_id ? (
          <p className="muted">
            <Link to={`/groups/${encodeURIComponent(note.group_id)}/sessions/${encodeURIComponent(note.appointment_id)}`}>Attendance of this session</Link>
          </p>
        ) : null}
      </PageHeader>
      <ProblemBanner problem={loaded.problem} onRetry={loaded.reload} />
      {loaded.loading && !note ? <Loading label="Loading note…" /> : null}
      {note && note.type === "group" && note.appointment_id ? <GroupNoteBody appointmentId={note.appointment_id} note={note} onSaved={setNote} /> : null}
      {note && note.type !== "group" ? (
        <NoteEditor
          key={`${note.id}-${note.signed_at ?? "draft"}`}
          note={note}
          target={{ kind: "progress", clientId: note.client_id ?? "", appointmentId: note.appointment_id }}
          onSaved={setNote}
        />
      ) : null}
    </>
  );
}
