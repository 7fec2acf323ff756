/** /settings/notifications — the signed-in user's own notification preferences. */
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api, ifMatch, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import type { User } from "../../api/types";
import { Loading, PageHeader, ProblemBanner } from "../../components";
import { useAction, useEdited } from "../admin/useAction";
import { PreferenceFields, type Preferences } from "./PreferenceFields";

function PreferencesForm({ me, onSaved }: { me: User; onSaved: (u: User) => void }) {
  const [prefs, setPrefs] = useState<Preferences>(me.notification_preferences);
  const action = useAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    const answer = await action.run(() => ok(api().PATCH("/v1/users/me", { params: { header: { "If-Match": ifMatch(me.version) } }, body: { notification_preferences: prefs } })));
    if (answer) onSaved(answer);
  }
  return (
    <form onSubmit={submit} noValidate>
      <ProblemBanner problem={action.problem} />
      <PreferenceFields value={prefs} onChange={setPrefs} />
      <button type="submit" disabled={action.busy}>
        Save preferences
      </button>
    </form>
  );
}

export default function PreferencesPage() {
  const loaded = useApi(() => ok(api().GET("/v1/users/me")), []);
  const [me, setMe] = useEdited<User>(loaded.data);
  const [saved, setSaved] = useState(false);
  return (
    <>
      <PageHeader title="Notification preferences" actions={<Link to="/notifications">Inbox</Link>} />
      <ProblemBanner problem={loaded.problem} onRetry={loaded.reload} />
      {loaded.loading && !me ? <Loading /> : null}
      {saved ? (
        <p className="success" role="status">
          Preferences saved.
        </p>
      ) : null}
      {me ? (
        <PreferencesForm
          key={me.version}
          me={me}
          onSaved={(u) => {
            setSaved(true);
            setMe(u);
          }}
        />
      ) : null}
    </>
  );
}
