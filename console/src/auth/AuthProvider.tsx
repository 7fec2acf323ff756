import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { api, ok } from "../api/client";
import { useApi } from "../api/hooks";
import type { Role, User } from "../api/types";
import { config } from "../config";
import { cognitoSignOut } from "./cognito";
import { clearToken, getToken, isExpired, onTokenChange } from "./session";

export type Auth = { me: User; role: Role; signOut: () => void };

const AuthContext = createContext<Auth | null>(null);

/** The signed-in user (from GET /v1/users/me: the stored role wins over the token's). */
export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth outside a signed-in screen");
  return auth;
}

export function useToken(): string | null {
  const [token, setTokenState] = useState(() => {
    const t = getToken();
    return t && !isExpired(t) ? t : null;
  });
  useEffect(() => onTokenChange(() => setTokenState(getToken())), []);
  return token;
}

export function signOut(): void {
  const cfg = config();
  if (cfg.auth === "cognito") cognitoSignOut(cfg);
  else clearToken();
}

export function AuthProvider({ token, children, fallback }: { token: string; children: ReactNode; fallback: (state: ReturnType<typeof useApi<User>>) => ReactNode }) {
  const me = useApi(() => ok(api().GET("/v1/users/me")), [token]);
  if (!me.data) return <>{fallback(me)}</>;
  return <AuthContext.Provider value={{ me: me.data, role: me.data.role, signOut }}>{children}</AuthContext.Provider>;
}
