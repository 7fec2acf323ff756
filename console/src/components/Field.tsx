import { cloneElement, isValidElement, useId, type ReactElement, type ReactNode } from "react";
import type { ApiProblem } from "../api/problem";
import { FieldError } from "./FieldError";

type ControlProps = { id?: string; "aria-invalid"?: boolean; "aria-describedby"?: string };

/** A labelled form control with its hint and the API's error for `name` (e.g. "body.limit").
 * The child input gets the id, aria-invalid and aria-describedby. */
export function Field({ label, name, problem, hint, children, className }: {
  label: ReactNode;
  name?: string;
  problem?: ApiProblem | null;
  hint?: ReactNode;
  children: ReactElement<ControlProps>;
  className?: string;
}) {
  const id = useId();
  const error = name && problem ? problem.errorFor(name) : undefined;
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  const control = isValidElement(children)
    ? cloneElement(children, { id, "aria-invalid": error ? true : undefined, "aria-describedby": described })
    : children;
  return (
    <div className={`field${error ? " has-error" : ""}${className ? ` ${className}` : ""}`}>
      <label htmlFor={id}>{label}</label>
      {control}
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}
