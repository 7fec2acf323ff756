import type { ReactNode } from "react";
import type { ApiProblem } from "../api/problem";
import { Dialog } from "./Dialog";
import { ProblemBanner } from "./ProblemBanner";

/** A dialog holding one form: the API's problem at the top (the fields in `claimed` show
 * their own errors through Field), the fields, then submit and cancel. */
export function FormDialog({ title, open = true, wide, onClose, onSubmit, problem, claimed, busy, submitLabel, danger, cancelLabel = "Cancel", lead, extraButtons, noValidate = true, children }: {
  title: string;
  open?: boolean;
  wide?: boolean;
  onClose: () => void;
  onSubmit: () => unknown;
  problem: ApiProblem | null;
  claimed: string[];
  busy: boolean;
  submitLabel: ReactNode;
  danger?: boolean;
  cancelLabel?: string;
  /** Text shown above the problem banner. */
  lead?: ReactNode;
  /** Buttons before submit (e.g. "Add a field"). */
  extraButtons?: ReactNode;
  noValidate?: boolean;
  children: ReactNode;
}) {
  return (
    <Dialog open={open} wide={wide} title={title} onClose={onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void onSubmit();
        }}
        noValidate={noValidate}
      >
        {lead}
        <ProblemBanner problem={problem} claimed={claimed} />
        {children}
        <div className="button-row">
          {extraButtons}
          <button type="submit" className={danger ? "danger" : undefined} disabled={busy}>
            {submitLabel}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            {cancelLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
