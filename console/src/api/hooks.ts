/** Loading data for a screen: `useApi(() => ok(api().GET(...)), [deps])` answers
 * {data, problem, loading, reload}; the newest request wins when deps change quickly. */
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiProblem, asProblem } from "./problem";

export type Loaded<T> = {
  data: T | undefined;
  problem: ApiProblem | null;
  loading: boolean;
  reload: () => void;
};

export function useApi<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; problem: ApiProblem | null; loading: boolean }>({
    data: undefined,
    problem: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  const loader = useRef(load);
  useEffect(() => {
    loader.current = load;
  });

  useEffect(() => {
    const mine = ++latest.current;
    let live = true;
    Promise.resolve()
      .then(() => {
        if (live) setState((s) => (s.loading ? s : { ...s, loading: true })); // unchanged state: no re-render
        return loader.current();
      })
      .then(
        (data) => {
          if (live && mine === latest.current) setState({ data, problem: null, loading: false });
        },
        (error: unknown) => {
          if (live && mine === latest.current) setState((s) => ({ data: s.data, problem: asProblem(error), loading: false }));
        },
      );
    return () => {
      live = false;
    };
    // The caller's deps decide when to reload (like useEffect's own list).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
