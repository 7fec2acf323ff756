/** /admin/practice — business information, claim fields and policies (admins change them). */
import { useState, type FormEvent, type ReactElement } from "react";
import { api, ifMatch, ok } from "../../api/client";
import { useApi } from "../../api/hooks";
import type { components } from "../../api/schema";
import { useAuth } from "../../auth/AuthProvider";
import { Field, Loading, PageHeader, ProblemBanner } from "../../components";
import { AddressFields, addressOf, draftAddress, type AddressDraft } from "./AddressFields";
import { orNull, useAction, useEdited } from "./useAction";

type Practice = components["schemas"]["Practice"];
type Update = components["schemas"]["PracticeUpdate"];

const TEXT = ["name", "phone", "time_zone", "currency", "business_email", "tax_id", "billing_npi", "taxonomy", "submitter_id", "submitter_contact", "submitter_phone", "receiver_id", "receiver_name"] as const;
type TextKey = (typeof TEXT)[number];
const LABEL: Record<TextKey, string> = {
  name: "Practice name",
  phone: "Phone",
  time_zone: "Time zone (e.g. America/New_York)",
  currency: "Currency (e.g. USD)",
  business_email: "Business email",
  tax_id: "Tax id",
  billing_npi: "Billing NPI",
  taxonomy: "Taxonomy code",
  submitter_id: "Submitter id",
  submitter_contact: "Submitter contact",
  submitter_phone: "Submitter phone",
  receiver_id: "Receiver (clearinghouse) id",
  receiver_name: "Receiver name",
};

type Form = Record<TextKey, string> & {
  tax_id_kind: "" | "EIN" | "SSN";
  address: AddressDraft;
  pay_to_address: AddressDraft;
  default_telehealth_pos: "02" | "10";
  room_booking: "warn" | "block";
  balance_booking: "warn" | "block";
  count_booked_as_pending: boolean;
  expiring_soon_days: string;
  authorization_low_remaining: string;
  authorization_low_percent: string;
  authorization_ending_days: string;
};

function formOf(p: Practice): Form {
  const text = Object.fromEntries(TEXT.map((k) => [k, (p[k] as string | null | undefined) ?? ""])) as Record<TextKey, string>;
  return {
    ...text,
    tax_id_kind: p.tax_id_kind ?? "",
    address: draftAddress(p.address),
    pay_to_address: draftAddress(p.pay_to_address),
    default_telehealth_pos: p.default_telehealth_pos ?? "02",
    room_booking: p.room_booking ?? "warn",
    balance_booking: p.balance_booking ?? "warn",
    count_booked_as_pending: p.count_booked_as_pending ?? false,
    expiring_soon_days: String(p.expiring_soon_days ?? ""),
    authorization_low_remaining: String(p.authorization_low_remaining ?? ""),
    authorization_low_percent: String(p.authorization_low_percent ?? ""),
    authorization_ending_days: String(p.authorization_ending_days ?? ""),
  };
}

function num(text: string): number | null {
  return text.trim() === "" ? null : Number(text);
}

export default function PracticePage() {
  const { role } = useAuth();
  const loaded = useApi(() => ok(api().GET("/v1/practice")), []);
  const [practice, setPractice] = useEdited<Practice>(loaded.data);
  const [saved, setSaved] = useState(false);
  return (
    <>
      <PageHeader title="Business information" />
      {role !== "admin" ? <p className="muted">Only administrators change business information.</p> : null}
      <ProblemBanner problem={loaded.problem} onRetry={loaded.reload} />
      {loaded.loading && !practice ? <Loading label="Loading practice…" /> : null}
      {saved ? (
        <p className="success" role="status">
          Business information saved.
        </p>
      ) : null}
      {practice ? (
        <PracticeForm
          key={practice.version}
          practice={practice}
          editable={role === "admin"}
          onSaved={(p) => {
            setSaved(true);
            setPractice(p);
          }}
        />
      ) : null}
    </>
  );
}

function PracticeForm({ practice, editable, onSaved }: { practice: Practice; editable: boolean; onSaved: (p: Practice) => void }) {
  const [form, setForm] = useState<Form>(() => formOf(practice));
  const action = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body: Update = {
      ...Object.fromEntries(TEXT.map((k) => [k, k === "name" || k === "time_zone" || k === "currency" ? form[k] : orNull(form[k])])),
      tax_id_kind: form.tax_id_kind || null,
      address: addressOf(form.address),
      pay_to_address: addressOf(form.pay_to_address),
      default_telehealth_pos: form.default_telehealth_pos,
      room_booking: form.room_booking,
      balance_booking: form.balance_booking,
      count_booked_as_pending: form.count_booked_as_pending,
      expiring_soon_days: num(form.expiring_soon_days),
      authorization_low_remaining: num(form.authorization_low_remaining),
      authorization_low_percent: num(form.authorization_low_percent),
      authorization_ending_days: num(form.authorization_ending_days),
    };
    const answer = await action.run(() => ok(api().PATCH("/v1/practice", { params: { header: { "If-Match": ifMatch(practice.version) } }, body })));
    if (answer) onSaved(answer);
  }

  const text = (k: TextKey, type = "text"): ReactElement => (
    <Field key={k} label={LABEL[k]} name={`body.${k}`} problem={action.problem}>
      <input type={type} value={form[k]} disabled={!editable} onChange={(e) => setForm({ ...form, [k]: e.target.value })} />
    </Field>
  );
  const claimed = [...TEXT.map((k) => `body.${k}`), "body.address", "body.pay_to_address", "body.expiring_soon_days", "body.authorization_low_remaining", "body.authorization_low_percent", "body.authorization_ending_days", "body.tax_id_kind"];

  return (
    <>
      {
        <form onSubmit={submit} noValidate>
          <ProblemBanner problem={action.problem} claimed={claimed} />
          {practice.status === "closed" ? <p className="warning-box">The account is closed (read-only) until {practice.purge_on}.</p> : null}
          <fieldset>
            <legend>Practice</legend>
            <div className="form-grid">
              {text("name")}
              {text("phone", "tel")}
              {text("business_email", "email")}
              {text("time_zone")}
              {text("currency")}
            </div>
          </fieldset>
          <AddressFields legend="Address" name="body.address" value={form.address} onChange={(address) => setForm({ ...form, address })} problem={action.problem} disabled={!editable} />
          <fieldset>
            <legend>Billing provider and claims</legend>
            <div className="form-grid">
              {text("billing_npi")}
              {text("tax_id")}
              <Field label="Tax id kind" name="body.tax_id_kind" problem={action.problem}>
                <select value={form.tax_id_kind} disabled={!editable} onChange={(e) => setForm({ ...form, tax_id_kind: e.target.value as Form["tax_id_kind"] })}>
                  <option value="">—</option>
                  <option value="EIN">EIN</option>
                  <option value="SSN">SSN</option>
                </select>
              </Field>
              {text("taxonomy")}
              {text("submitter_id")}
              {text("submitter_contact")}
              {text("submitter_phone", "tel")}
              {text("receiver_id")}
              {text("receiver_name")}
            </div>
          </fieldset>
          <AddressFields legend="Pay-to address (if not the address above)" name="body.pay_to_address" value={form.pay_to_address} onChange={(pay_to_address) => setForm({ ...form, pay_to_address })} problem={action.problem} disabled={!editable} />
          <fieldset>
            <legend>Policies</legend>
            <div className="form-grid">
              <Field label="Default telehealth place of service" name="body.default_telehealth_pos" problem={action.problem}>
                <select value={form.default_telehealth_pos} disabled={!editable} onChange={(e) => setForm({ ...form, default_telehealth_pos: e.target.value as "02" | "10" })}>
                  <option value="02">02 · patient not at home</option>
                  <option value="10">10 · patient at home</option>
                </select>
              </Field>
              <Field label="Room already taken" name="body.room_booking" problem={action.problem}>
                <select value={form.room_booking} disabled={!editable} onChange={(e) => setForm({ ...form, room_booking: e.target.value as "warn" | "block" })}>
                  <option value="warn">Warn (override allowed)</option>
                  <option value="block">Block</option>
                </select>
              </Field>
              <Field label="Booking past a balance" name="body.balance_booking" problem={action.problem}>
                <select value={form.balance_booking} disabled={!editable} onChange={(e) => setForm({ ...form, balance_booking: e.target.value as "warn" | "block" })}>
                  <option value="warn">Warn</option>
                  <option value="block">Block</option>
                </select>
              </Field>
              <Field label="Pack expiring soon within (days)" name="body.expiring_soon_days" problem={action.problem}>
                <input type="number" min={0} value={form.expiring_soon_days} disabled={!editable} onChange={(e) => setForm({ ...form, expiring_soon_days: e.target.value })} />
              </Field>
              <Field label="Authorization low at (sessions left)" name="body.authorization_low_remaining" problem={action.problem}>
                <input type="number" min={0} value={form.authorization_low_remaining} disabled={!editable} onChange={(e) => setForm({ ...form, authorization_low_remaining: e.target.value })} />
              </Field>
              <Field label="Authorization low at (% used)" name="body.authorization_low_percent" problem={action.problem}>
                <input type="number" min={0} max={100} value={form.authorization_low_percent} disabled={!editable} onChange={(e) => setForm({ ...form, authorization_low_percent: e.target.value })} />
              </Field>
              <Field label="Authorization ending within (days)" name="body.authorization_ending_days" problem={action.problem}>
                <input type="number" min={0} value={form.authorization_ending_days} disabled={!editable} onChange={(e) => setForm({ ...form, authorization_ending_days: e.target.value })} />
              </Field>
            </div>
            <label className="check">
              <input type="checkbox" checked={form.count_booked_as_pending} disabled={!editable} onChange={(e) => setForm({ ...form, count_booked_as_pending: e.target.checked })} />
              Booked appointments count as pending usage
            </label>
          </fieldset>
          {editable ? (
            <div className="button-row">
              <button type="submit" disabled={action.busy}>
                Save business information
              </button>
            </div>
          ) : null}
        </form>
      }
    </>
  );
}
