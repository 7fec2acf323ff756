import { useState } from "react";
import { asProblem, type ApiProblem } from "../api/problem";
import { ProblemBanner } from "./ProblemBanner";
import { saveFile } from "./files";

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
      saveFile(content instanceof Blob ? content : new Blob([content], { type }), filename);
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
