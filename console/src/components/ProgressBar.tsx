/** "used X of Y, Z left" with a bar. Figures are the API's decimal strings. */
/** `text` replaces the built sentence when the API already wrote it (EntitlementSummary.counted). */
export function ProgressBar({ used, limit, remaining, unit, label, text: given }: { used: string; limit: string; remaining: string; unit?: string; label?: string; text?: string }) {
  const u = Number(used);
  const l = Number(limit);
  const percent = l > 0 && Number.isFinite(u) ? Math.min(100, Math.max(0, (u / l) * 100)) : 0;
  const tone = percent >= 100 ? "full" : percent >= 80 ? "high" : "ok";
  const text = given ?? `used ${used} of ${limit}${unit ? ` ${unit}` : ""}, ${remaining} left`;
  return (
    <div className="progress">
      <div
        className={`progress-track ${tone}`}
        role="progressbar"
        aria-label={label ?? "Used"}
        aria-valuemin={0}
        aria-valuemax={l > 0 ? l : 0}
        aria-valuenow={Number.isFinite(u) ? u : 0}
        aria-valuetext={text}
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <p className="progress-text">{text}</p>
    </div>
  );
}
