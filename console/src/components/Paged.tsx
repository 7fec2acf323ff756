/** One page at a time of a cursor-paginated list: `usePaged(load, filters)` loads the page at
 * the current cursor, and starts again from the first page whenever a filter changes;
 * `NextPageButton` follows the answer's next_cursor. */
import { useState } from "react";
import { useApi, type Loaded } from "../api/hooks";

type PageAnswer = { next_cursor?: string | null };
export type Paged<P extends PageAnswer> = Loaded<P> & { cursor: string | undefined; next: () => void };

export function usePaged<P extends PageAnswer>(load: (cursor: string | undefined) => Promise<P>, filters: readonly unknown[]): Paged<P> {
  const key = JSON.stringify(filters);
  const [at, setAt] = useState<{ key: string; cursor?: string }>({ key });
  // A changed filter sends the list back to its first page (state adjusted while rendering).
  if (at.key !== key) setAt({ key });
  const cursor = at.key === key ? at.cursor : undefined;
  const page = useApi(() => load(cursor), [key, cursor]);
  const next = () => setAt({ key, cursor: page.data?.next_cursor ?? undefined });
  return { ...page, cursor, next };
}

export function NextPageButton({ page }: { page: Paged<PageAnswer> }) {
  if (!page.data?.next_cursor) return null;
  return (
    <button type="button" className="secondary" onClick={page.next}>
      Next page
    </button>
  );
}
