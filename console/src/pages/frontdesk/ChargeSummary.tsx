import type { ChargeResult } from "../../api/types";

/** What an attended (or no-show) session counted against, in the API's own words. */
export function ChargeSummary({ charge }: { charge: ChargeResult | null | undefined }) {
  if (!charge) return null;
  return (
    <ul className="plain-list" aria-label="What was charged">
      {charge.pack ? (
        <li>
          Pack “{charge.pack.name}”: {charge.pack.counted}
          {charge.pack.expires_on ? `, expires ${charge.pack.expires_on}` : ""}
        </li>
      ) : charge.pack_reason ? (
        <li>No pack charged: {charge.pack_reason}</li>
      ) : null}
      {charge.authorization ? (
        <li>
          Authorization {charge.authorization.payer}
          {charge.authorization.number ? ` #${charge.authorization.number}` : ""}: {charge.authorization.counted}
        </li>
      ) : charge.authorization_reason ? (
        <li>No authorization counted: {charge.authorization_reason}</li>
      ) : null}
      {charge.prior_authorization_number ? <li>Prior authorization number for the claim: {charge.prior_authorization_number}</li> : null}
    </ul>
  );
}
