/** /groups/:groupId/sessions/:appointmentId/note — the group note of one group session: a
 * shared part copied into the chart of every member marked attended, plus optional parts per
 * member. Signing locks the group note and every copy. */
import { Link, useParams } from "react-router";
import { allPages, api, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { EmptyState, Loading, PageHeader, ProblemBanner } from "../../components";
import { useEdited } from "../admin/useAction";
import { NoteEditor, type Note } from "./NoteEditor";

/** The editor for a group note, with the members marked attended at that session. */
export function GroupNoteBody({ appointmentId, note, onSaved }: { appointmentId: string; note: Note | null; onSaved: (note: Note) => void }) {
  const attendance = useApi(
    () => ok(api().GET("/v1/appointments/{appointment_id}/attendance", { params: { path: { appointment_id: appointmentId } } })),
    [appointmentId],
  );
  if (attendance.loading && !attendance.data) return <Loading label="Loading attendance…" />;
  if (!attendance.data) return <ProblemBanner problem={attendance.problem} onRetry={attendance.reload} />;
  const attended = attendance.data.members.filter((m) => m.status === "attended");
  if (!note && attended.length === 0) {
    return (
      <EmptyState title="Nobody is marked attended yet.">
        The group note is copied into the chart of each member who attended:{" "}
        <Link to={`/groups/${encodeURIComponent(attendance.data.group_id)}/sessions/${encodeURIComponent(appointmentId)}`}>mark attendance</Link> first.
      </EmptyState>
    );
  }
  return (
    <NoteEditor
      key={`${note?.id ?? "new"}-${note?.signed_at ?? "draft"}`}
      note={note}
      target={{ kind: "group", appointmentId, members: attended.map((m) => ({ client_id: m.client_id, client_name: m.client_name })) }}
      onSaved={onSaved}
    />
  );
}

export default function GroupNotePage() {
  const { groupId = "", appointmentId = "" } = useParams();
  const existing = useApi(async () => {
    const notes = await allPages<Note>((cursor) => ok(api().GET("/v1/notes", { params: { query: { group_id: groupId, limit: 100, cursor } } })), { max: 10 });
    return notes.find((n) => n.type === "group" && n.appointment_id === appointmentId) ?? null;
  }, [groupId, appointmentId]);
  const [edited, setNote] = useEdited<Note | null>(existing.data);
  const note = edited ?? null;
  const sessionPath = `/groups/${encodeURIComponent(groupId)}/sessions/${encodeURIComponent(appointmentId)}`;
  return (
    <>
      <PageHeader title="Group note">
        <p className="muted">
          <Link to={sessionPath}>Back to attendance</Link>
        </p>
      </PageHeader>
      <ProblemBanner problem={existing.problem} onRetry={existing.reload} />
      {existing.loading && existing.data === undefined ? <Loading label="Loading the group's notes…" /> : null}
      {existing.data !== undefined && !existing.problem ? <GroupNoteBody appointmentId={appointmentId} note={note} onSaved={setNote} /> : null}
    </>
  );
}
