/** /notifications — the staff emails the signed-in user was sent (newest first): subject,
 * when, and each alert with a link to the client. */
import { useState } from "react";
import { Link } from "react-router";
import { api, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { EmptyState, Loading, PageHeader, ProblemBanner } from "../../components";
import { paths } from "../../routes";

export default function InboxPage() {
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const inbox = useApi(() => ok(api().GET("/v1/notifications", { params: { query: { limit: 20, cursor } } })), [cursor]);
  return (
    <>
      <PageHeader title="Inbox" actions={<Link to="/settings/notifications">Notification preferences</Link>} />
      <ProblemBanner problem={inbox.problem} onRetry={inbox.reload} />
      {inbox.loading && !inbox.data ? <Loading label="Loading your notifications…" /> : null}
      {inbox.data && inbox.data.items.length === 0 ? <EmptyState title="No notifications yet.">The daily digest emails about packs and authorizations appear here once sent.</EmptyState> : null}
      {inbox.data && inbox.data.items.length > 0 ? (
        <ol className="plain-list">
          {inbox.data.items.map((n) => (
            <li key={n.id}>
              <article aria-labelledby={`n-${n.id}`}>
                <h2 id={`n-${n.id}`} className="inbox-subject">
                  {n.subject}
                </h2>
                <p className="muted small">Sent {n.sent_at.replace("T", " ").slice(0, 16)}</p>
                <ul>
                  {n.events.map((e, i) => (
                    <li key={`${e.entitlement_id}-${e.type}-${i}`}>
                      <strong>{e.headline}</strong>: <Link to={paths.client(e.client_id)}>{e.line}</Link>
                    </li>
                  ))}
                </ul>
              </article>
            </li>
          ))}
        </ol>
      ) : null}
      {inbox.data?.next_cursor ? (
        <button type="button" className="secondary" onClick={() => setCursor(inbox.data?.next_cursor ?? undefined)}>
          Older
        </button>
      ) : null}
    </>
  );
}
