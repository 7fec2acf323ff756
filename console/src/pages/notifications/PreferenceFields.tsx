/** The notification preferences as checkboxes (the digest, then each kind of alert). */
import type { components } from "../../api/schema";

export type Preferences = components["schemas"]["NotificationPreferences"];

export const PREFERENCES: { key: keyof Preferences; label: string }[] = [
  { key: "daily_digest", label: "Daily digest email (turns every alert below off when unticked)" },
  { key: "pack_expiring", label: "Pack expiring soon" },
  { key: "pack_expired", label: "Pack expired" },
  { key: "pack_used_up", label: "Pack used up" },
  { key: "authorization_low", label: "Authorization running low" },
  { key: "authorization_used_up", label: "Authorization used up" },
  { key: "authorization_ending", label: "Authorization ending soon" },
];

export function PreferenceFields({ value, onChange, disabled }: { value: Preferences; onChange: (p: Preferences) => void; disabled?: boolean }) {
  return (
    <fieldset>
      <legend>Notification preferences</legend>
      {PREFERENCES.map((p) => (
        <label key={p.key} className="check">
          <input type="checkbox" disabled={disabled} checked={value[p.key] !== false} onChange={(e) => onChange({ ...value, [p.key]: e.target.checked })} />
          {p.label}
        </label>
      ))}
    </fieldset>
  );
}
