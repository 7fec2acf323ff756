/** /reports — the three reports (authorizations with % used and days left, pack expiry, pack
 * sales by category), each shown as a table and downloadable as CSV (every page of it). */
import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { allPages, api, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import { personName, useReference } from "../../api/reference";
import { useAuth } from "../../auth/AuthProvider";
import { csvOf, DataTable, DownloadButton, EmptyState, Field, Loading, NextPageButton, PageHeader, ProblemBanner, ProgressBar, usePaged } from "../../components";
import { addDays, todayIso } from "../../lib/dates";
import { paths } from "../../routes";
import { authorizationColumns, packExpiryColumns, packSalesColumns, type AuthorizationRow, type PackExpiryRow } from "./reportColumns";

type ExpiryStatus = "active" | "expiring_soon" | "expired" | "all";

/** The practitioner filter of a report. */
function PractitionerFilter({ value, onChange }: { value: string; onChange: (id: string) => void }) {
  const ref = useReference();
  return (
    <Field label="Practitioner">
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">All practitioners</option>
        {(ref.data?.practitioners ?? []).map((p) => (
          <option key={p.id} value={p.id}>
            {personName(p)}
          </option>
        ))}
      </select>
    </Field>
  );
}

function Authorizations() {
  const [includeExpired, setIncludeExpired] = useState(false);
  const [practitioner, setPractitioner] = useState("");
  const query = { include_expired: includeExpired || undefined, practitioner_id: practitioner || undefined };
  const report = usePaged((cursor) => ok(api().GET("/v1/reports/authorizations", { params: { query: { ...query, limit: 50, cursor } } })), [includeExpired, practitioner]);
  return (
    <section className="panel" aria-labelledby="auth-title">
      <h2 id="auth-title">Authorized insurance sessions</h2>
      <div className="search-row">
        <PractitionerFilter value={practitioner} onChange={setPractitioner} />
        <label className="check">
          <input type="checkbox" checked={includeExpired} onChange={(e) => setIncludeExpired(e.target.checked)} />
          Include ended authorizations
        </label>
        <DownloadButton
          label="Download authorizations CSV"
          filename={`authorizations-${todayIso()}.csv`}
          build={async (progress) =>
            csvOf(authorizationColumns, await allPages((c) => ok(api().GET("/v1/reports/authorizations", { params: { query: { ...query, limit: 100, cursor: c } } })), { max: Infinity, progress }))
          }
        />
      </div>
      <ProblemBanner problem={report.problem} onRetry={report.reload} />
      {report.loading && !report.data ? <Loading label="Loading the report…" /> : null}
      {report.data ? (
        <DataTable<AuthorizationRow>
          caption="Authorized insurance sessions"
          rows={report.data.items}
          rowKey={(r) => r.id}
          empty={<EmptyState title="No authorizations to show." />}
          columns={[
            { key: "client", header: "Client", cell: (r) => <Link to={paths.client(r.client_id)}>{r.client_name}</Link> },
            { key: "payer", header: "Payer", cell: (r) => `${r.payer}${r.number ? ` · ${r.number}` : ""}` },
            { key: "used", header: "Used", cell: (r) => <ProgressBar used={r.used} limit={r.allowed} remaining={r.remaining} unit={r.measure} label={`Used of ${r.client_name}'s authorization`} /> },
            { key: "percent", header: "% used", cell: (r) => `${r.percent_used} %` },
            { key: "ends", header: "Ends", cell: (r) => r.end_on },
            { key: "days", header: "Days left", cell: (r) => r.days_left },
            { key: "status", header: "Status", cell: (r) => <span className={`status-badge ${r.status}`}>{r.status.replace(/_/g, " ")}</span> },
          ]}
        />
      ) : null}
      <NextPageButton page={report} />
    </section>
  );
}

function PackExpiry() {
  const [status, setStatus] = useState<ExpiryStatus>("all");
  const [practitioner, setPractitioner] = useState("");
  const [category, setCategory] = useState("");
  const query = { status, practitioner_id: practitioner || undefined, category: category.trim() || undefined };
  const report = usePaged((cursor) => ok(api().GET("/v1/reports/pack-expiry", { params: { query: { ...query, limit: 50, cursor } } })), [status, practitioner, category]);
  return (
    <section className="panel" aria-labelledby="expiry-title">
      <h2 id="expiry-title">Pack expiry</h2>
      <div className="search-row">
        <Field label="Status">
          <select value={status} onChange={(e) => setStatus(e.target.value as ExpiryStatus)}>
            <option value="all">All</option>
            <option value="active">Active</option>
            <option value="expiring_soon">Expiring soon</option>
            <option value="expired">Expired</option>
          </select>
        </Field>
        <PractitionerFilter value={practitioner} onChange={setPractitioner} />
        <Field label="Category">
          <input value={category} onChange={(e) => setCategory(e.target.value)} />
        </Field>
        <DownloadButton
          label="Download pack expiry CSV"
          filename={`pack-expiry-${todayIso()}.csv`}
          build={async (progress) =>
            csvOf(packExpiryColumns, await allPages((c) => ok(api().GET("/v1/reports/pack-expiry", { params: { query: { ...query, limit: 100, cursor: c } } })), { max: Infinity, progress }))
          }
        />
      </div>
      <ProblemBanner problem={report.problem} onRetry={report.reload} />
      {report.loading && !report.data ? <Loading label="Loading the report…" /> : null}
      {report.data ? (
        <DataTable<PackExpiryRow>
          caption="Pack expiry"
          rows={report.data.items}
          rowKey={(r) => r.id}
          empty={<EmptyState title="No packs to show." />}
          columns={[
            { key: "client", header: "Client", cell: (r) => <Link to={paths.client(r.client_id)}>{r.client_name}</Link> },
            { key: "pack", header: "Pack", cell: (r) => r.name },
            { key: "used", header: "Used", cell: (r) => <ProgressBar used={r.used} limit={r.limit} remaining={r.remaining} unit={r.measure} label={`Used of ${r.client_name}'s pack`} /> },
            { key: "expires", header: "Expires", cell: (r) => r.expires_on ?? "—" },
            { key: "status", header: "Status", cell: (r) => <span className={`status-badge ${r.status}`}>{r.status.replace(/_/g, " ")}</span> },
          ]}
        />
      ) : null}
      <NextPageButton page={report} />
    </section>
  );
}

function PackSales() {
  const today = todayIso();
  const [from, setFrom] = useState(addDays(today, -30));
  const [to, setTo] = useState(today);
  const report = useApi(() => ok(api().GET("/v1/reports/pack-sales", { params: { query: { from, to } } })), [from, to]);
  return (
    <section className="panel" aria-labelledby="sales-title">
      <h2 id="sales-title">Pack sales by category</h2>
      <div className="search-row">
        <Field label="From" name="query.from" problem={report.problem}>
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </Field>
        <Field label="To" name="query.to" problem={report.problem}>
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </Field>
        <DownloadButton
          label="Download pack sales CSV"
          filename={`pack-sales-${from}-${to}.csv`}
          build={async () => csvOf(packSalesColumns, (await ok(api().GET("/v1/reports/pack-sales", { params: { query: { from, to } } }))).categories)}
        />
      </div>
      <ProblemBanner problem={report.problem} onRetry={report.reload} claimed={["query.from", "query.to"]} />
      {report.loading && !report.data ? <Loading label="Loading the report…" /> : null}
      {report.data ? (
        <>
          <p>
            {report.data.packs} pack{report.data.packs === 1 ? "" : "s"} sold, {report.data.total} {report.data.currency}
          </p>
          <DataTable
            caption="Pack sales by category"
            rows={report.data.categories}
            rowKey={(r) => r.category}
            empty={<EmptyState title="No packs sold in these dates." />}
            columns={[
              { key: "category", header: "Category", cell: (r) => r.category },
              { key: "packs", header: "Packs", cell: (r) => r.packs },
              { key: "amount", header: `Sales (${report.data.currency})`, cell: (r) => r.amount },
            ]}
          />
        </>
      ) : null}
    </section>
  );
}

const REPORTS = [
  { key: "authorizations", label: "Authorizations" },
  { key: "pack-expiry", label: "Pack expiry" },
  { key: "pack-sales", label: "Pack sales" },
] as const;

export default function ReportsPage() {
  const { role } = useAuth();
  const [params, setParams] = useSearchParams();
  const available = REPORTS.filter((r) => r.key !== "pack-sales" || role === "admin" || role === "billing");
  const chosen = available.find((r) => r.key === params.get("report"))?.key ?? "authorizations";
  return (
    <>
      <PageHeader title="Reports" />
      <nav aria-label="Reports" className="segmented report-tabs">
        {available.map((r) => (
          <button key={r.key} type="button" aria-pressed={chosen === r.key} onClick={() => setParams({ report: r.key })}>
            {r.label}
          </button>
        ))}
      </nav>
      {chosen === "authorizations" ? <Authorizations /> : chosen === "pack-expiry" ? <PackExpiry /> : <PackSales />}
    </>
  );
}
