/** One form's submit state: busy while the request runs, the API's problem when it fails
 * (shown by ProblemBanner and next to each field by Field). Shared by the groups, notes,
 * billing and admin screens. */
import { useCallback, useState } from "react";
import { asProblem, type ApiProblem } from "../../api/problem";

export function useAction() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const run = useCallback(async <T,>(work: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setProblem(null);
    try {
      return await work();
    } catch (error) {
      setProblem(asProblem(error));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, problem, setProblem, run };
}

/** "" → null, for optional text fields the API clears with null. */
export function orNull(text: string): string | null {
  const trimmed = text.trim();
  return trimmed === "" ? null : trimmed;
}

/** A screen's copy of loaded data that its own saves replace (the answer of a PATCH), until
 * the data is loaded again: a reload always wins over an older local copy. */
export function useEdited<T>(loaded: T | undefined): [T | undefined, (value: T) => void] {
  const [edited, setEdited] = useState<{ base: T | undefined; value: T } | null>(null);
  const value = edited && edited.base === loaded ? edited.value : loaded;
  const set = useCallback((next: T) => setEdited({ base: loaded, value: next }), [loaded]);
  return [value, set];
}
