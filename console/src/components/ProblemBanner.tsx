import type { ApiProblem } from "../api/problem";

/** The API's problem detail, never a blank screen. `claimed` lists the fields a form shows
 * next to its inputs; any other field error is listed here so none is lost. */
export function ProblemBanner({ problem, onRetry, claimed }: { problem: ApiProblem | null | undefined; onRetry?: () => void; claimed?: string[] }) {
  if (!problem) return null;
  const others = claimed ? problem.unclaimed(claimed) : Object.entries(problem.fieldErrors);
  return (
    <div className="problem" role="alert">
      <p className="problem-title">
        {problem.title}
        {problem.status ? <span className="problem-status"> ({problem.status})</span> : null}
      </p>
      {problem.detail && problem.detail !== problem.title ? <p>{problem.detail}</p> : null}
      {others.length > 0 ? (
        <ul>
          {others.map(([field, reason]) => (
            <li key={field}>
              <code>{field}</code>: {reason}
            </li>
          ))}
        </ul>
      ) : null}
      {problem.correlationId ? <p className="muted small">Reference: {problem.correlationId}</p> : null}
      {onRetry ? (
        <button type="button" className="secondary" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
