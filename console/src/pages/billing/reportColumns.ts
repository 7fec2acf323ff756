/** The columns of each report, shared by its table and its CSV download (the file has the
 * figures the screen shows, as the API wrote them). */
import type { components } from "../../api/schema";
import type { CsvColumn } from "../../components/files";

type S = components["schemas"];
export type AuthorizationRow = S["AuthorizationReportRow"];
export type PackExpiryRow = S["PackExpiryRow"];
export type CategorySales = S["CategorySales"];

export type ReportColumn<Row> = CsvColumn<Row>;

export const authorizationColumns: ReportColumn<AuthorizationRow>[] = [
  { header: "Client", value: (r) => r.client_name },
  { header: "Payer", value: (r) => r.payer },
  { header: "Authorization number", value: (r) => r.number },
  { header: "Measure", value: (r) => r.measure },
  { header: "Used", value: (r) => r.used },
  { header: "Allowed", value: (r) => r.allowed },
  { header: "Remaining", value: (r) => r.remaining },
  { header: "% used", value: (r) => r.percent_used },
  { header: "Begins", value: (r) => r.begin_on },
  { header: "Ends", value: (r) => r.end_on },
  { header: "Days left", value: (r) => r.days_left },
  { header: "Status", value: (r) => r.status },
];

export const packExpiryColumns: ReportColumn<PackExpiryRow>[] = [
  { header: "Client", value: (r) => r.client_name },
  { header: "Pack", value: (r) => r.name },
  { header: "Measure", value: (r) => r.measure },
  { header: "Used", value: (r) => r.used },
  { header: "Limit", value: (r) => r.limit },
  { header: "Remaining", value: (r) => r.remaining },
  { header: "Purchased", value: (r) => r.purchased_on },
  { header: "Expires", value: (r) => r.expires_on },
  { header: "Categories", value: (r) => r.categories.map((c) => c.name).join("; ") },
  { header: "Status", value: (r) => r.status },
];

export const packSalesColumns: ReportColumn<CategorySales>[] = [
  { header: "Category", value: (r) => r.category },
  { header: "Packs", value: (r) => r.packs },
  { header: "Sales", value: (r) => r.amount },
];
