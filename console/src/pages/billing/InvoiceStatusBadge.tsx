import type { Invoice } from "../../api/types";

const VOID_REASON: Record<string, string> = {
  session_removed: "its session no longer exists",
  pack_deleted: "its pack was deleted",
};

/** An invoice's status; a void one says why (its payments are then credit). */
export function InvoiceStatusBadge({ invoice }: { invoice: Invoice }) {
  const why = invoice.status === "void" && invoice.void_reason ? VOID_REASON[invoice.void_reason] ?? invoice.void_reason : null;
  return (
    <span className={`status-badge ${invoice.status}`} title={why ?? undefined}>
      {invoice.status.replace("_", " ")}
      {why ? <span className="visually-hidden">: {why}</span> : null}
    </span>
  );
}
