/** "Which billing codes count" for a pack or an authorization: any session except the codes
 * ticked, or only the codes ticked (the API's CodeRuleIn), with the API's error for `name`. */
import { useId } from "react";
import type { ApiProblem } from "../../api/problem";
import type { components } from "../../api/schema";
import type { BillingCode } from "../../api/types";
import { FieldError } from "../../components";

export type CodeRule = components["schemas"]["CodeRuleOut"];

export function sameCodeRule(a: CodeRule, b: CodeRule): boolean {
  return a.mode === b.mode && [...a.codes].sort().join(",") === [...b.codes].sort().join(",");
}

export function CodeRuleFields({ value, onChange, billingCodes, name, problem }: {
  value: CodeRule;
  onChange: (rule: CodeRule) => void;
  billingCodes: BillingCode[];
  /** the API's field for the rule, e.g. "body.codes" */
  name: string;
  problem: ApiProblem | null;
}) {
  const id = useId();
  const error = problem?.errorFor(name);
  // A code the rule lists but the practice has since deactivated stays visible (and can be unticked).
  const listed = [...billingCodes.map((c) => ({ code: c.code, description: c.description })),
    ...value.codes.filter((code) => !billingCodes.some((c) => c.code === code)).map((code) => ({ code, description: "inactive code" }))];
  return (
    <fieldset aria-describedby={error ? `${id}-error` : undefined}>
      <legend>Which billing codes count</legend>
      <label className="check">
        <input type="radio" name={`${id}-mode`} checked={value.mode === "all_except"} onChange={() => onChange({ ...value, mode: "all_except" })} /> Any session except the codes ticked
      </label>
      <label className="check">
        <input type="radio" name={`${id}-mode`} checked={value.mode === "only"} onChange={() => onChange({ ...value, mode: "only" })} /> Only the codes ticked
      </label>
      <div className="form-grid" role="group" aria-label="Billing codes">
        {listed.map((c) => (
          <label key={c.code} className="check">
            <input
              type="checkbox"
              checked={value.codes.includes(c.code)}
              onChange={(e) => onChange({ ...value, codes: e.target.checked ? [...value.codes, c.code] : value.codes.filter((x) => x !== c.code) })}
            />
            {c.code} · {c.description}
          </label>
        ))}
      </div>
      <FieldError id={`${id}-error`} message={error} />
    </fieldset>
  );
}
