/** The address sub-form (practice, pay-to, locations, payers): empty means "no address". */
import type { components } from "../../api/schema";
import type { ApiProblem } from "../../api/problem";
import { Field } from "../../components";

export type Address = components["schemas"]["Address"];
export type AddressDraft = { line1: string; line2: string; city: string; region: string; postal_code: string; country: string };

export function draftAddress(a: Address | null | undefined): AddressDraft {
  return { line1: a?.line1 ?? "", line2: a?.line2 ?? "", city: a?.city ?? "", region: a?.region ?? "", postal_code: a?.postal_code ?? "", country: a?.country ?? "" };
}

/** null when every part is blank (the API clears the address), else the address. */
export function addressOf(d: AddressDraft): Address | null {
  if (Object.values(d).every((v) => !v.trim())) return null;
  return { line1: d.line1, line2: d.line2 || null, city: d.city, region: d.region || null, postal_code: d.postal_code || null, country: d.country };
}

export function AddressFields({ legend, name, value, onChange, problem, disabled }: {
  legend: string;
  name: string;
  value: AddressDraft;
  onChange: (d: AddressDraft) => void;
  problem: ApiProblem | null;
  disabled?: boolean;
}) {
  const part = (key: keyof AddressDraft, label: string) => (
    <Field label={label} name={`${name}.${key}`} problem={problem}>
      <input value={value[key]} disabled={disabled} onChange={(e) => onChange({ ...value, [key]: e.target.value })} />
    </Field>
  );
  return (
    <fieldset>
      <legend>{legend}</legend>
      <div className="form-grid">
        {part("line1", "Address line 1")}
        {part("line2", "Address line 2")}
        {part("city", "City")}
        {part("region", "State / region")}
        {part("postal_code", "Postal code")}
        {part("country", "Country (2 letters)")}
      </div>
    </fieldset>
  );
}
