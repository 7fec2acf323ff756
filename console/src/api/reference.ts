/** Reference lists every screen picks from (users, locations, rooms, billing codes, pack
 * templates), read once per sign-in and shared; `refreshReference()` after changing one. */
import { allPages, api, ok } from "./client";
import { useApi } from "./hooks";
import type { BillingCode, Location, PackTemplate, Room, User } from "./types";

export type Reference = {
  users: User[];
  practitioners: User[];
  locations: Location[];
  rooms: Room[];
  billingCodes: BillingCode[];
};

let cached: Promise<Reference> | null = null;

async function loadReference(): Promise<Reference> {
  const [users, locations, rooms, billingCodes] = await Promise.all([
    allPages((cursor) => ok(api().GET("/v1/users", { params: { query: { limit: 100, cursor } } }))),
    allPages((cursor) => ok(api().GET("/v1/locations", { params: { query: { limit: 100, cursor } } }))),
    allPages((cursor) => ok(api().GET("/v1/rooms", { params: { query: { limit: 100, cursor } } }))),
    allPages((cursor) => ok(api().GET("/v1/billing-codes", { params: { query: { limit: 100, cursor } } }))),
  ]);
  return {
    users,
    practitioners: users.filter((u) => u.role === "practitioner" && u.active),
    locations: locations.filter((l) => l.active),
    rooms: rooms.filter((r) => r.active),
    billingCodes: billingCodes.filter((c) => c.active),
  };
}

export function reference(): Promise<Reference> {
  if (!cached) {
    cached = loadReference();
    cached.catch(() => {
      cached = null; // a failed read is tried again next time
    });
  }
  return cached;
}

export function refreshReference(): void {
  cached = null;
}

export function useReference() {
  return useApi(reference, []);
}

export function usePackTemplates() {
  return useApi(
    () => allPages<PackTemplate>((cursor) => ok(api().GET("/v1/pack-templates", { params: { query: { limit: 100, cursor } } }))),
    [],
  );
}

let practice: Promise<{ time_zone: string; room_booking?: string | null }> | null = null;

/** The practice (its time zone and booking modes), read once per sign-in. */
export function usePractice() {
  return useApi(() => {
    if (!practice) {
      practice = ok(api().GET("/v1/practice"));
      practice.catch(() => {
        practice = null;
      });
    }
    return practice;
  }, []);
}

export function personName(u: { first_name: string; last_name: string } | undefined): string {
  return u ? `${u.first_name} ${u.last_name}` : "—";
}
