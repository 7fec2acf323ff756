"""Use cases for client sessions (service records). A session and its charge are written in
one transaction: create charges, a correction of code, minutes, fee or date re-charges, and a
delete gives back."""
from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.auth import Principal
from chalicelib.clock import now as clock_now
from chalicelib.domain import codes as code_lists
from chalicelib.domain.charging import ChargeDecision, shown_authorization
from chalicelib.domain.codes import DEFAULT_POS
from chalicelib.domain.groups import Mark
from chalicelib.domain.ids import new_id
from chalicelib.errors import Conflict, NotFound, ValidationFailed
from chalicelib.models.codes import BillingCode
from chalicelib.models.entitlements import ChargeRequest
from chalicelib.models.sessions import ClientSession, SessionCreate, SessionResult, SessionUpdate
from chalicelib.services import charging, invoice_follow
from chalicelib.services.common import changes_of
from chalicelib.store import appointments as appointment_store
from chalicelib.store import attendance as attendance_store
from chalicelib.store import claims as claim_store
from chalicelib.store import clients as client_store
from chalicelib.store import codes as code_store
from chalicelib.store import entitlements as entitlement_store
from chalicelib.store import sessions as store
from chalicelib.store.appointments import StoredAppointment
from chalicelib.store.charges import TransactionCancelled
from chalicelib.store.history import history_marker

_CHARGED_FIELDS = {"billing_code", "minutes", "fee", "date_of_service", "bill_to"}
# A claim the payer holds (sent, answered or not). A void (frequency 8) holds nothing back.
_WITH_THE_PAYER = frozenset({"submitted", "accepted", "paid", "denied"})


session_key = store.session_key  # other services name a session's item by it


def check_codes(principal: Principal, billing_code: str, add_on_codes: list[str],
                location_id: str | None = None) -> tuple[BillingCode, str | None]:
    """The session's code (not an add-on), its add-ons (add-ons only), and the location's POS:
    one read for all of them."""
    code, pos, _ = codes_and_client(principal, billing_code, add_on_codes, location_id)
    return code, pos


def codes_and_client(principal: Principal, billing_code: str, add_on_codes: list[str],
                     location_id: str | None = None,
                     client_id: str | None = None) -> tuple[BillingCode, str | None, bool | None]:
    """check_codes, and whether the client has a history (None: no such client) in the same
    BatchGetItem: a charge needs it to know whether the client's history marker is still to be
    written."""
    found, location, client = store.codes_and_client(principal.practice_id, [billing_code, *add_on_codes],
                                                     location_id, client_id)
    code, add_ons = found[0], found[1:]
    errors = []
    if code is None:
        errors.append({"field": "body.billing_code",
                       "reason": f"{billing_code} is not in the practice's billing codes"})
    elif code.add_on:
        errors.append({"field": "body.billing_code", "reason": f"{billing_code} is an add-on code"})
    for i, (value, add_on) in enumerate(zip(add_on_codes, add_ons, strict=True)):
        if add_on is None or not add_on.add_on:
            errors.append({"field": f"body.add_on_codes.{i}", "reason": f"{value} is not an add-on billing code"})
    if location_id and location is None:
        errors.append({"field": "body.location_id", "reason": "does not exist in this practice"})
    if errors or code is None:
        raise ValidationFailed(errors)
    return code, location.place_of_service if location else None, client


def check_diagnoses(principal: Principal, primary: str | None, additional: list[str] | None,
                    changed: set[str] | None = None) -> None:
    """Diagnoses are checked as POST /v1/diagnosis-codes checks an ICD-10-CM code (in the CMS
    list), except a code the practice keeps in its own catalogue (an ICD-10 variant such as
    ICD-10-AM, checked there for format only): one batch read, only for codes not in the list.
    Additional diagnoses need a primary. `changed` limits the list check to the fields a PATCH
    sent, so a session recorded before this check can still be edited."""
    errors = []
    if additional and not primary:
        errors.append({"field": "body.primary_diagnosis", "reason": "is required when additional_diagnoses are given"})
    named = [("body.primary_diagnosis", primary)] if changed is None or "primary_diagnosis" in changed else []
    if changed is None or "additional_diagnoses" in changed:
        named += [(f"body.additional_diagnoses.{i}", c) for i, c in enumerate(additional or [])]
    unlisted = [(field, c) for field, c in named if c and code_lists.icd10_description(c) is None]
    if unlisted:
        kept = code_store.diagnosis_codes(principal.practice_id, [c for _, c in unlisted])
        errors += [{"field": field, "reason": f"{c} is not in the ICD-10-CM code list"}
                   for (field, c), item in zip(unlisted, kept, strict=True) if item is None]
    if errors:
        raise ValidationFailed(errors)


def new_session_item(practice_id: str, client_id: str, session_id: str, values: dict[str, Any],
                     authorization: tuple[str | None, str | None],
                     authorization_id: str | None = None) -> dict[str, Any]:
    """A whole session item, naming the authorization its charge counted it against (whose
    number it shows, as it is when read) and stamped with the number and warning the charge
    produced (shown when it counts against none)."""
    return store.new_item(practice_id, client_id, session_id, {
        **values, "prior_authorization_number": authorization[0], "authorization_warning": authorization[1],
        "authorization_id": authorization_id})


def shown(practice_id: str, found: list[ClientSession]) -> list[ClientSession]:
    """Sessions as shown: each with the number (and warning) of the authorization it counts
    against as it is now, read for all of them in one BatchGetItem (none when none counts)."""
    wanted = list(dict.fromkeys((s.client_id, s.authorization_id) for s in found if s.authorization_id))
    current = entitlement_store.authorizations(practice_id, wanted)
    out = []
    for s in found:
        auth = current.get((s.client_id, s.authorization_id)) if s.authorization_id else None
        number, why = shown_authorization((s.prior_authorization_number, s.authorization_warning),
                                          s.authorization_id, auth)
        out.append(s.model_copy(update={"prior_authorization_number": number, "authorization_warning": why}))
    return out


def create_session(*, principal: Principal, client_id: str, data: SessionCreate,
                   session_id: str | None = None) -> SessionResult:
    """Record a delivered session and charge it, in one transaction (`session_id` is for
    imports, whose ids are derived from the source so a re-import creates nothing twice)."""
    check_diagnoses(principal, data.primary_diagnosis, data.additional_diagnoses)
    code, location_pos, client = codes_and_client(principal, data.billing_code, data.add_on_codes, data.location_id,
                                                  client_id)
    if client is None:
        raise NotFound("Client", client_id)
    values = data.model_dump(mode="json")
    values.update(minutes=data.minutes if data.minutes is not None else code.default_minutes,
                  fee=str(data.fee if data.fee is not None else code.default_charge),
                  place_of_service=data.place_of_service or location_pos or DEFAULT_POS)
    session_id = session_id or new_id("ses")
    written: dict[str, Any] = {}

    def write(decision: ChargeDecision | None) -> list[dict[str, Any]]:
        assert decision is not None  # a charge's companion always gets its decision
        written["item"] = new_session_item(principal.practice_id, client_id, session_id, values,
                                           decision.authorization_stamp(), decision.authorization_id)
        return [store.put_action(principal.practice_id, client_id, written["item"]),
                *history_marker(principal.practice_id, client_id, client)]

    charge = charging.charge_session(
        principal=principal, client_id=client_id, code=code, request=charge_request(session_id, values),
        companion=charging.Companion(actions=write, refused=lambda err, start: store.create_refused(
            err, start, session_id=session_id, client_id=client_id)))
    return SessionResult(session=store.session_of(written["item"]), charge=charge, version=1)


def charge_request(session_id: str, values: dict[str, Any]) -> ChargeRequest:
    """What a session with these values charges (bill_to "client" bypasses authorizations)."""
    return ChargeRequest(session_ref=session_id, date=date.fromisoformat(str(values["date_of_service"])),
                         billing_code=values["billing_code"], minutes=values["minutes"], fee=values["fee"],
                         bill_to=values.get("bill_to") or "automatic")


def get_session(*, principal: Principal, client_id: str, session_id: str) -> ClientSession:
    return shown(principal.practice_id, [store.get(principal.practice_id, client_id, session_id)])[0]


def list_sessions(*, principal: Principal, client_id: str, limit: int,
                  start_key: dict | None) -> tuple[list[ClientSession], dict | None]:
    """A client's sessions, oldest recorded first (one Query)."""
    client_store.ensure_exists(principal.practice_id, client_id)
    found, last_key = store.page(principal.practice_id, client_id, limit=limit, start_key=start_key)
    return shown(principal.practice_id, found), last_key


def update_session(*, principal: Principal, client_id: str, session_id: str, changes: SessionUpdate,
                   expected_version: int) -> SessionResult:
    """Edit a session. Changing the code resets minutes and fee from the new code (unless they
    are sent too); a change to code, minutes, fee, date or bill_to re-charges in the same
    transaction (to "client" gives the authorization back, to "automatic" counts it)."""
    current = store.get(principal.practice_id, client_id, session_id)
    if current.version != expected_version:
        raise store.stale(current, expected_version)
    values = changes_of(changes, required=("date_of_service", "billing_code", "minutes", "fee", "bill_to",
                                           "additional_diagnoses", "modifiers", "additional_dates", "add_on_codes"))
    merged = {**store.fields_of(current), **values}
    check_diagnoses(principal, merged.get("primary_diagnosis"), merged.get("additional_diagnoses"),
                    changed=set(values))
    code, _ = check_codes(principal, merged["billing_code"], merged.get("add_on_codes") or [])
    if "billing_code" in values and values["billing_code"] != current.billing_code:
        merged["minutes"] = values.get("minutes", code.default_minutes)
        merged["fee"] = values.get("fee", str(code.default_charge))
    if merged.get("resubmission_code") and not merged.get("original_claim_reference"):
        raise ValidationFailed.field("body.original_claim_reference", "a resubmission code needs it")
    merged.update(version=expected_version + 1, updated_at=clock_now())
    if not _CHARGED_FIELDS & values.keys():
        store.put(principal.practice_id, client_id, merged, expected_version=expected_version)
        if "add_on_codes" in values:
            # Not re-charged (that path's invoice follows the charge): the invoice's lines follow.
            invoice_follow.follow(principal.practice_id, client_id, session_id)
        return SessionResult(session=shown(principal.practice_id, [store.session_of(merged)])[0],
                             version=merged["version"])

    def write(decision: ChargeDecision | None) -> list[dict[str, Any]]:
        assert decision is not None  # a charge's companion always gets its decision
        number, why = decision.authorization_stamp()
        merged.update(prior_authorization_number=number, authorization_warning=why,
                      authorization_id=decision.authorization_id)
        return [store.put_action(principal.practice_id, client_id, merged, expected_version=expected_version),
                *store.stamp_record_action(principal.practice_id, client_id, merged, number)]

    charge = charging.recharge_session(
        principal=principal, client_id=client_id, code=code, request=charge_request(session_id, merged),
        companion=charging.Companion(actions=write, refused=lambda err, i: store.write_refused(
            err, i, expected_version=expected_version, session_id=session_id)))
    return SessionResult(session=store.session_of(merged), charge=charge, version=merged["version"])


def refuse_if_billed(practice_id: str, client_id: str, session_id: str) -> None:
    """A session billed on a claim the payer holds is not removed (deleted, its appointment
    cancelled or re-marked): the payer's answer would then match no session. 409 naming the
    claim and the way out; its fields may still be corrected, for a replacement claim."""
    claim = claim_store.claim_on(practice_id, client_id, session_id)
    if claim is None or claim.status not in _WITH_THE_PAYER or claim.frequency_code == "8":
        return
    way_out = ("wait for the payer's answer, then void or replace it" if claim.status == "submitted" else
               f'void it (POST /v1/claims/{claim.id}/status {{"status": "voided"}}) or replace it')
    raise Conflict(f"Session {session_id} is billed on claim {claim.id} ({claim.status}): {way_out} first",
                   claim_id=claim.id)


def delete_session(*, principal: Principal, client_id: str, session_id: str, expected_version: int) -> None:
    """Delete a session recorded in error; what it was charged is given back with it. A session
    an appointment or a group member's mark still records goes only through that record (409
    naming it): deleted alone, the record would still say attended. The check is in the
    delete's transaction, so a status change racing it leaves both or neither."""
    practice_id = principal.practice_id
    refuse_if_billed(practice_id, client_id, session_id)

    def actions(_: ChargeDecision | None) -> list[dict[str, Any]]:
        # A recorded session's id is its appointment's: check the appointment and the mark there.
        return [store.delete_action(practice_id, client_id, session_id, expected_version=expected_version),
                appointment_store.not_recording_check(practice_id, session_id, client_id),
                attendance_store.not_recording_check(practice_id, session_id, client_id, session_id)]

    def refused(err: TransactionCancelled, start: int) -> Exception | None:
        own = store.write_refused(err, start, expected_version=expected_version, session_id=session_id)
        if isinstance(own, NotFound):
            return own
        return _still_recorded(session_id, appointment_store.recording(err, start + 1),
                               attendance_store.recording(err, start + 2)) or own

    charging.reverse_session(principal=principal, client_id=client_id, session_ref=session_id,
                             companion=charging.Companion(actions=actions, refused=refused))


def _still_recorded(session_id: str, appointment: StoredAppointment | None, mark: Mark | None) -> Conflict | None:
    """The 409 for a session an appointment or a member's mark still records: it names the
    appointment and the change that removes the session and gives its charge back."""
    if appointment is not None:
        return Conflict(
            f"Session {session_id} is recorded by appointment {appointment.id} ({appointment.status}): set the "
            f"appointment's status back to booked or to cancelled (POST /v1/appointments/{appointment.id}/status), "
            "which removes the session and gives its charge back", appointment_id=appointment.id)
    if mark is not None:
        return Conflict(
            f"Session {session_id} is recorded by the member's attendance mark ({mark.status}) on group session "
            f"{session_id}: change the member's mark (POST /v1/appointments/{session_id}/attendance, e.g. "
            '"unmarked"), which removes the session and gives its charge back', appointment_id=session_id)
    return None
