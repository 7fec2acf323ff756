import { useState } from "react";
import { asProblem, type ApiProblem } from "../api/problem";
import { ProblemBanner } from "./ProblemBanner";

/** Builds a file in the browser (e.g. CSV from a report's pages) and saves it; shows progress
 * while it works and the API's problem if it fails. */
export function DownloadButton({ label, filename, type = "text/csv", build }: {
  label: string;
  filename: string;
  type?: string;
  build: (progress: (text: string) => void) => Promise<string | Blob>;
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  async function run() {
    setProblem(null);
    setBusy("Preparing…");
    try {
      const content = await build((text) => setBusy(text));
      const blob = content instanceof Blob ? content : new Blob([content], { type });
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = filename;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(null);
    }
  }
  return (
    <div className="download">
      <button type="button" onClick={run} disabled={busy !== null} aria-busy={busy !== null}>
        {label}
      </button>
      {busy ? (
        <span role="status" className="muted small">
          {busy}
        </span>
      ) : null}
      <ProblemBanner problem={problem} />
    </div>
  );
}

/** CSV text from rows (RFC 4180 quoting; a leading =, +, - or @ is prefixed so a spreadsheet
 * never runs it as a formula). */
export function toCsv(header: string[], rows: (string | number | null | undefined)[][]): string {
  const cell = (v: string | number | null | undefined) => {
    let s = v === null || v === undefined ? "" : String(v);
    if (/^[=+\-@]/.test(s) && !/^-?\d/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}
