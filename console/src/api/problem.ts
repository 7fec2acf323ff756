/** The API's application/problem+json answer as one typed error the screens can show. */
import type { components } from "./schema";

export type ProblemBody = components["schemas"]["Problem"];
export type BookingWarning = components["schemas"]["BookingWarning"];

export class ApiProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly correlationId: string | undefined;
  /** field path (e.g. "body.limit", "body.referring_provider.npi") -> reason */
  readonly fieldErrors: Record<string, string>;
  /** 400/409: the one field at fault */
  readonly field: string | undefined;
  /** 409 on booking: the occurrences that clash or run short */
  readonly warnings: BookingWarning[];
  /** 412: the version stored now */
  readonly currentVersion: number | undefined;
  readonly body: Record<string, unknown>;

  constructor(status: number, body: Partial<ProblemBody> & Record<string, unknown>) {
    const title = typeof body.title === "string" ? body.title : `Request failed (${status})`;
    super(title);
    this.name = "ApiProblem";
    this.status = status;
    this.title = title;
    this.detail = typeof body.detail === "string" ? body.detail : "";
    this.correlationId = typeof body.correlation_id === "string" ? body.correlation_id : undefined;
    this.field = typeof body.field === "string" ? body.field : undefined;
    this.currentVersion = typeof body.current_version === "number" ? body.current_version : undefined;
    this.warnings = Array.isArray(body.warnings) ? (body.warnings as unknown as BookingWarning[]) : [];
    const errors: Record<string, string> = {};
    if (Array.isArray(body.errors)) {
      for (const e of body.errors as { field?: unknown; reason?: unknown }[]) {
        if (typeof e.field === "string") errors[e.field] = String(e.reason ?? "is invalid");
      }
    }
    if (this.field && !errors[this.field] && this.detail) errors[this.field] = this.detail;
    this.fieldErrors = errors;
    this.body = body;
  }

  /** The reason for one field ("body.limit"), or for anything under it ("body.referring_provider"
   * also answers "body.referring_provider.npi"). */
  errorFor(field: string): string | undefined {
    if (this.fieldErrors[field]) return this.fieldErrors[field];
    const nested = Object.keys(this.fieldErrors).find((f) => f.startsWith(`${field}.`));
    return nested ? this.fieldErrors[nested] : undefined;
  }

  /** Field errors that no form field claimed (shown in the banner so none is lost). */
  unclaimed(claimed: string[]): [string, string][] {
    return Object.entries(this.fieldErrors).filter(
      ([f]) => !claimed.some((c) => f === c || f.startsWith(`${c}.`)),
    );
  }

  static network(cause: unknown): ApiProblem {
    const why = cause instanceof Error ? cause.message : String(cause);
    return new ApiProblem(0, { title: "Cannot reach the API", detail: `The request did not get an answer (${why}). Check your connection and try again.` });
  }
}

export function asProblem(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  if (error instanceof Error) return new ApiProblem(0, { title: "Something went wrong", detail: error.message });
  return new ApiProblem(0, { title: "Something went wrong", detail: String(error) });
}
