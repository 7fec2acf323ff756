"""Insurance claims: built from client sessions, scrubbed, exported as 837P files, tracked.

A claim is one client, payer, rendering provider and date of service; its lines are the
sessions of that day and their add-on codes. The records a claim is built from (practice,
practitioner, client, insurance, payer, sessions, authorization, location) are read again on
every check and export, so fixing a record and checking again clears its problems. A session
is on one live claim at a time: a marker item per session, written with the claim in one
transaction, is the guard (`store/claims.py`)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.auth import Principal, Role
from chalicelib.clock import now as clock_now
from chalicelib.domain import claims as domain
from chalicelib.domain.codes import DEFAULT_POS
from chalicelib.domain.entitlements import Entitlement
from chalicelib.domain.ids import new_id
from chalicelib.domain.practice import Address as PracticeAddress
from chalicelib.domain.practice import Practice
from chalicelib.domain.x12_837p import Batch, write_837p
from chalicelib.errors import Conflict, NotFound, ValidationFailed
from chalicelib.models.claims import (
    Claim,
    ClaimCreate,
    ClaimExport,
    ClaimOutcome,
    ClaimQuery,
    ClaimsCreated,
    ExportCreate,
    ExportQuery,
    ExportSummary,
    LeftOut,
    SkippedSession,
)
from chalicelib.models.clients import RELATIONSHIP_CODES, Client, ReferringProvider, Subscriber
from chalicelib.models.codes import BillingCode
from chalicelib.models.common import Address
from chalicelib.models.locations import Location
from chalicelib.models.payers import Payer
from chalicelib.models.sessions import ClientSession
from chalicelib.models.users import User
from chalicelib.services.practice import load_practice
from chalicelib.store import claims as store
from chalicelib.store import clients as client_store
from chalicelib.store import payers as payer_store
from chalicelib.store.claims import StoredClaim

# A transaction holds at most 100 items: the export and 99 claims.
MAX_CLAIMS_PER_EXPORT = 99
# Who may move a claim where once it has been sent: the payer's answer, or a correction of a
# claim the payer has adjudicated, paid, accepted or denied (a replacement, 7, or a void, 8,
# which takes over its sessions). A rejected claim never reached adjudication: it is fixed,
# checked and sent again as it is.
CORRECTABLE = ("paid", "accepted", "denied")
OUTCOMES = {"submitted": {"accepted", "rejected", "paid", "denied"},
            "accepted": {"rejected", "paid", "denied", "replaced", "voided"},
            "paid": {"replaced", "voided"},
            "denied": {"replaced", "voided"}}
CORRECTIONS = {"replaced": "7", "voided": "8"}
CHECKABLE = {"draft", "ready", "rejected"}
BILLERS = {Role.ADMIN, Role.BILLING}


# ---- reading the records a claim is built from ---------------------------------------------

@dataclass
class _Records:
    """Everything one or more claims of a practice are built from, read in few calls."""

    practice: Practice
    clients: dict[str, Client]
    codes: dict[str, BillingCode]
    users: dict[str, User]
    payers: dict[str, Payer]
    locations: dict[str, Location]
    practitioners: dict[str, str | None]  # session id -> rendering practitioner
    authorizations: dict[str, Entitlement]  # session id -> the authorization it counts against


def _read_records(practice_id: str, sessions: list[ClientSession]) -> _Records:
    found = store.records(practice_id, sessions)
    practitioners: dict[str, str | None] = {}
    for s in sessions:
        appointment = found.appointments.get(s.appointment_id or "")
        client = found.clients.get(s.client_id)
        practitioners[s.id] = ((appointment.practitioner_id if appointment else None)
                               or (client.practitioner_id if client else None))
    users = store.users(practice_id, sorted({p for p in practitioners.values() if p}))
    return _Records(practice=load_practice(practice_id), clients=found.clients, codes=found.codes, users=users,
                    payers=found.payers, locations=found.locations, practitioners=practitioners,
                    authorizations=found.authorizations)


def _address(value: Address | PracticeAddress | None) -> domain.Address | None:
    if not value:
        return None
    return domain.Address(line1=value.line1 or "", city=value.city or "", state=(value.region or "").upper(),
                          zip=(value.postal_code or "").replace("-", "").replace(" ", ""), line2=value.line2)


def _person(value: Client | Subscriber | None) -> domain.Person:
    if value is None:
        return domain.Person(first_name=None, last_name=None, date_of_birth=None, sex=None, address=None)
    return domain.Person(first_name=value.first_name, last_name=value.last_name, date_of_birth=value.date_of_birth,
                         sex=value.sex, address=_address(value.address))


def _referring(provider: ReferringProvider, record: str, record_id: str) -> domain.ReferringProvider:
    return domain.ReferringProvider(provider.first_name, provider.last_name, provider.npi, record=record,
                                    record_id=record_id)


def _units(session: ClientSession, code: BillingCode | None) -> Decimal:
    unit_minutes = code.unit_minutes if code else None
    if not unit_minutes:
        return Decimal(1)
    return (Decimal(session.minutes) / Decimal(unit_minutes)).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def _build(claim_id: str, pcn: str, sessions: list[ClientSession], records: _Records,
           correction: tuple[str, str | None] | None = None) -> domain.Claim:
    """The domain claim for these sessions (one client, payer, practitioner, day); a payer not
    in the catalogue or no practitioner is left with a blank record id, which the scrub reports.
    A `correction` (frequency code, original reference) is a replacement or void started from
    the claim lifecycle; otherwise both come from the session's resubmission code."""
    first = sessions[0]
    client_id = first.client_id
    client = records.clients.get(client_id)
    insurance = client.primary_insurance if client else None
    practice = records.practice
    billing = domain.BillingProvider(
        name=practice.name, npi=practice.billing_npi,
        tax_id=(practice.tax_id or "").replace("-", "") or None, taxonomy=practice.taxonomy,
        address=_address(practice.address), tax_id_kind=practice.tax_id_kind or "EIN",
        pay_to_address=_address(practice.pay_to_address),
        record_id=practice.id)
    listed = records.payers.get((insurance.payer_id if insurance else None) or "")
    if listed is None:
        payer = domain.Payer(name=insurance.payer if insurance else "", payer_id=None, claim_filing_indicator=None)
    else:
        payer = domain.Payer(name=listed.name, payer_id=listed.payer_id,
                             claim_filing_indicator=listed.claim_filing_indicator, address=_address(listed.address),
                             requires_authorization=listed.requires_authorization, record_id=listed.id)
    relationship = RELATIONSHIP_CODES.get((insurance.subscriber_relationship if insurance else None) or "self", "18")
    named = insurance.subscriber if insurance else None
    subscriber = domain.Subscriber(
        member_id=insurance.member_id if insurance else None, relationship=relationship,
        group_number=insurance.group_number if insurance else None,
        person=_person(named) if relationship != domain.SELF and named else None, record_id=client_id)
    patient = domain.Patient(_person(client), record_id=client_id)
    practitioner_id = records.practitioners.get(first.id)
    user = records.users.get(practitioner_id or "")
    rendering = domain.RenderingProvider(first_name=user.first_name if user else None,
                                         last_name=user.last_name if user else None,
                                         npi=user.npi if user else None, taxonomy=user.taxonomy if user else None,
                                         record_id=practitioner_id or "")
    diagnoses: list[str] = []
    sources: list[tuple[str, str]] = []  # where each diagnosis comes from, for the scrub to name
    for s in sessions:
        for field, diagnosis in [("primary_diagnosis", s.primary_diagnosis),
                                 *(("additional_diagnoses", c) for c in s.additional_diagnoses)]:
            if diagnosis and diagnosis not in diagnoses:
                diagnoses.append(diagnosis)
                sources.append((s.id, field))
    lines: list[domain.ServiceLine] = []
    for s in sessions:
        own = [c for c in [s.primary_diagnosis, *s.additional_diagnoses] if c]
        pointers = tuple(dict.fromkeys(diagnoses.index(c) + 1 for c in own))[:4]
        common: dict[str, Any] = {"date_of_service": s.date_of_service, "diagnosis_pointers": pointers,
                                  "modifiers": tuple(s.modifiers), "place_of_service": s.place_of_service,
                                  "session_id": s.id}
        lines.append(domain.ServiceLine(s.billing_code, s.fee, _units(s, records.codes.get(s.billing_code)),
                                        note=s.line_note, **common))
        for add_on in s.add_on_codes:
            code = records.codes.get(add_on)
            lines.append(domain.ServiceLine(add_on, code.default_charge if code else Decimal(0), Decimal(1),
                                            add_on=True, **common))
    counted = records.authorizations.get(first.id)
    # The number is the authorization's as it is now (§6); the session's stamp only when it
    # counts against none and names none (recorded before sessions named their authorization).
    if counted is not None:
        number = counted.number
    else:
        number = None if first.authorization_id else first.prior_authorization_number
    authorization = None
    if counted is not None:
        authorization = domain.Authorization(number=number, start_on=date.fromisoformat(counted.begin_on),
                                             end_on=date.fromisoformat(counted.end_on), record_id=counted.id)
    elif number:
        authorization = domain.Authorization(number=number, start_on=None, end_on=None, record_id=first.id)
    # The session's referring provider, else the client's.
    referring = None
    if first.referring_provider:
        referring = _referring(first.referring_provider, "session", first.id)
    elif client and client.referring_provider:
        referring = _referring(client.referring_provider, "client", client_id)
    location = records.locations.get(first.location_id or "")
    facility = None
    if location and not location.telehealth and location.address:
        facility = domain.ServiceFacility(name=location.name, address=_address(location.address),
                                          npi=location.npi, record_id=location.id)
    claim = domain.Claim(
        patient_control_number=pcn, billing_provider=billing, payer=payer, subscriber=subscriber, patient=patient,
        rendering_provider=rendering, lines=tuple(lines), diagnoses=tuple(diagnoses),
        place_of_service=first.place_of_service or DEFAULT_POS,
        frequency_code=correction[0] if correction else first.resubmission_code or "1",
        original_reference=correction[1] if correction else first.original_claim_reference,
        authorization=authorization,
        referring_provider=referring, service_facility=facility, record_id=claim_id,
        diagnosis_sources=tuple(sources))
    return claim


def _today(practice: Practice) -> date:
    return datetime.now(ZoneInfo(practice.time_zone)).date()


def _scrubbed(claim_id: str, pcn: str, sessions: list[ClientSession], records: _Records,
              correction: tuple[str, str | None] | None = None) -> tuple[domain.Claim, dict[str, Any]]:
    """The domain claim and the claim's stored view of it: its header (payer, practitioner, date
    of service, as the records say now), lines, diagnoses, problems."""
    built = _build(claim_id, pcn, sessions, records, correction)
    problems = domain.scrub(built, _today(records.practice))
    view = {
        **_header(sessions, records),
        "lines": [{"session_id": line.session_id, "code": line.code,
                   "date_of_service": line.date_of_service.isoformat(), "charge": str(line.charge),
                   "units": str(line.units), "modifiers": list(line.modifiers),
                   "place_of_service": line.place_of_service, "diagnosis_pointers": list(line.diagnosis_pointers),
                   "note": line.note} for line in built.lines],
        "diagnoses": list(built.diagnoses), "total_charge": str(built.total_charge),
        "frequency_code": built.frequency_code, "prior_authorization_number": built.prior_authorization_number,
        "problems": [{"record": p.record, "record_id": p.record_id, "field": p.field, "reason": p.reason}
                     for p in problems],
    }
    return built, view


def _header(sessions: list[ClientSession], records: _Records) -> dict[str, Any]:
    """What lists, filters, exports and practitioners' access go by, from the records as they
    are now: the payer in the catalogue (None when the client's insurance names none there),
    the rendering and the client's usual practitioner, the date of service."""
    first = sessions[0]
    client = records.clients.get(first.client_id)
    insurance = client.primary_insurance if client else None
    payer_ref = (insurance.payer_id if insurance else None) or ""
    return {"payer_ref": payer_ref if payer_ref in records.payers else None,
            "practitioner_id": records.practitioners.get(first.id) or None,
            "client_practitioner_id": client.practitioner_id if client else None,
            "date_of_service": first.date_of_service.isoformat()}


_HEADER = ("payer_ref", "practitioner_id", "client_practitioner_id", "date_of_service")
# What an export writes into the file for a claim, recorded on the claim with it.
_SENT = ("lines", "diagnoses", "total_charge", "frequency_code", "prior_authorization_number")


def _history(stored: StoredClaim, entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The claim's history with `entry` added, as stored."""
    return [*(change.model_dump() for change in stored.claim.history), entry]


# ---- creating claims -------------------------------------------------------------------

def _chosen_sessions(principal: Principal, data: ClaimCreate) -> list[ClientSession]:
    """The sessions a request names: by id (of one client when it names her, else of any
    client of the practice; an unknown id is a 422 naming it, before anything is written), or
    by date of service (the practice's sessions-by-date index, never each client's sessions)."""
    pid = principal.practice_id
    if data.session_ids is not None:
        wanted = list(dict.fromkeys(data.session_ids))
        if data.client_id:
            found, reason = store.client_sessions(pid, data.client_id, wanted), "no such session of this client"
        else:
            found, reason = store.practice_sessions(pid, wanted), "no such session in this practice"
        missing = [{"field": f"body.session_ids.{data.session_ids.index(s)}", "reason": reason}
                   for s, item in zip(wanted, found, strict=True) if item is None]
        if missing:
            raise ValidationFailed(missing)
        return [s for s in found if s]
    assert data.from_ is not None and data.to is not None  # the model asks for both without ids
    if data.client_id:
        client_store.ensure_exists(pid, data.client_id)  # 404 for a client that is not the practice's
    return store.sessions_between(pid, data.from_.isoformat(), data.to.isoformat(), data.client_id)


def create_claims(*, principal: Principal, data: ClaimCreate) -> tuple[ClaimsCreated, bool]:
    """Claims for the chosen sessions; returns the result and whether any claim was created
    (none: `id` is None, never an empty id, and each session is under `skipped`)."""
    pid = principal.practice_id
    sessions = _chosen_sessions(principal, data)
    skipped: list[SkippedSession] = []

    def skip(session: ClientSession, reason: str) -> None:
        skipped.append(SkippedSession(client_id=session.client_id, session_id=session.id, reason=reason))

    billable = []
    for s in sessions:
        if s.bill_to == "client":
            skip(s, "billed to the client, not to insurance")
        else:
            billable.append(s)
    by_client: dict[str, list[ClientSession]] = defaultdict(list)
    for s in billable:
        by_client[s.client_id].append(s)
    for client_id, group in list(by_client.items()):
        claimed = store.markers(pid, client_id, [s.id for s in group])
        for s in group:
            if s.id in claimed:
                skip(s, f"already on claim {claimed[s.id]}")
        by_client[client_id] = [s for s in group if s.id not in claimed]
    candidates = [s for group in by_client.values() for s in group]
    if not candidates:
        return ClaimsCreated(claims=[], skipped=skipped, id=None), False
    records = _read_records(pid, candidates)
    groups: dict[tuple[str, str, str, str], list[ClientSession]] = defaultdict(list)
    for s in candidates:
        client = records.clients.get(s.client_id)
        insurance = client.primary_insurance if client else None
        if not insurance:
            skip(s, "the client has no primary insurance")
            continue
        groups[(s.client_id, insurance.payer_id or "", records.practitioners.get(s.id) or "",
                s.date_of_service.isoformat())].append(s)
    created: list[Claim] = []
    now = clock_now()
    for _key, group in sorted(groups.items()):
        item = _new_claim(principal, group, records, now)
        written = store.create_claim(pid, item)
        if isinstance(written, str):  # a concurrent request put a session on its claim first
            for s in group:
                skip(s, f"already on claim {written}")
            continue
        created.append(written.claim)
    return ClaimsCreated(claims=created, skipped=skipped, id=created[0].id if created else None), bool(created)


def _new_claim(principal: Principal, group: list[ClientSession], records: _Records, now: str, *,
               correction: tuple[str, str | None] | None = None, note: str | None = None) -> dict[str, Any]:
    """A claim item for sessions of one client, payer, rendering provider and day, scrubbed:
    ready when clean, else draft with its problems."""
    claim_id = new_id("clm")
    pcn = claim_id.split("_", 1)[1][-20:].upper()  # CLM01 allows 20 characters
    _, view = _scrubbed(claim_id, pcn, group, records, correction)
    status = "draft" if view["problems"] else "ready"
    return {"id": claim_id, "status": status, "patient_control_number": pcn, "client_id": group[0].client_id,
            "session_ids": [s.id for s in group], **view,
            "history": [{"status": status, "at": now, "by": principal.user_id, "note": note}]}


# ---- reading, checking, outcomes --------------------------------------------------------

def _readable(principal: Principal, stored: StoredClaim) -> bool:
    if principal.role != Role.PRACTITIONER:
        return True
    return principal.user_id in (stored.claim.practitioner_id, stored.client_practitioner_id)


def _claim_item(principal: Principal, claim_id: str) -> StoredClaim:
    stored = store.get_claim(principal.practice_id, claim_id)
    if not _readable(principal, stored):
        raise NotFound("Claim", claim_id)  # as for another practice's claim
    return stored


def get_claim(*, principal: Principal, claim_id: str) -> Claim:
    return _claim_item(principal, claim_id).claim


def list_claims(*, principal: Principal, query: ClaimQuery, start_key: dict | None) -> tuple[list[Claim], dict | None]:
    low = query.from_.isoformat() if query.from_ else "0000"
    high = (query.to.isoformat() if query.to else "9999") + "#~"
    filters: dict[str, Any] = {}
    if query.payer_id:
        filters["payer_ref"] = query.payer_id
    if principal.role == Role.PRACTITIONER:
        filters["mine"] = ("practitioner_id", "client_practitioner_id", principal.user_id)
    return store.list_page(principal.practice_id, status=query.status, client_id=query.client_id,
                           between=(low, high), filters=filters, limit=query.limit, start_key=start_key)


def _rebuild(practice_id: str, claim: Claim, records: _Records | None = None,
             ) -> tuple[domain.Claim | None, dict[str, Any]]:
    sessions = store.claim_sessions(practice_id, claim)
    if not sessions:
        return None, {"problems": [{"record": "claim", "record_id": claim.id, "field": "session_ids",
                                    "reason": "its sessions were deleted"}]}
    records = records or _read_records(practice_id, sessions)
    correction = (claim.frequency_code, claim.original_reference) if claim.replaces else None
    return _scrubbed(claim.id, claim.patient_control_number, sessions, records, correction)


def check_claim(*, principal: Principal, claim_id: str) -> Claim:
    """Read the records again and scrub: a clean claim is ready, else draft (a rejected claim
    that is now clean is ready to be sent again)."""
    stored = _claim_item(principal, claim_id)
    claim = stored.claim
    if claim.status not in CHECKABLE:
        how = ("; correct it with the status replaced or voided" if claim.status in CORRECTABLE else "")
        raise Conflict(f"Claim {claim_id} is {claim.status}: only draft, ready or rejected claims are checked{how}")
    _, view = _rebuild(principal.practice_id, claim)
    status = "draft" if view["problems"] else "ready"
    changes = dict(view)
    if status != claim.status:
        changes["history"] = _history(stored, {"status": status, "at": clock_now(), "by": principal.user_id,
                                               "note": None})
    return store.save_claim(principal.practice_id, claim_id, changes, expected_version=claim.version,
                            status=status).claim


def record_outcome(*, principal: Principal, claim_id: str, data: ClaimOutcome, expected_version: int) -> Claim:
    """The payer's answer to a submitted claim, or billing's correction of a paid, accepted or
    denied one (replaced, voided), with who recorded it and when."""
    stored = _claim_item(principal, claim_id)
    claim = stored.claim
    if claim.version != expected_version:
        raise store.stale(stored, expected_version)
    if data.status not in OUTCOMES.get(claim.status, set()):
        raise Conflict(f"Claim {claim_id} is {claim.status}: it cannot become {data.status}")
    entry = {"status": data.status, "at": clock_now(), "by": principal.user_id, "note": data.note}
    if data.status in CORRECTIONS:
        return _correct(principal, stored, data, entry)
    changes: dict[str, Any] = {"history": _history(stored, entry)}
    if data.payer_claim_number:
        changes["payer_claim_number"] = data.payer_claim_number
    return store.save_claim(principal.practice_id, claim_id, changes, expected_version=expected_version,
                            status=data.status).claim


def _correct(principal: Principal, stored: StoredClaim, data: ClaimOutcome, entry: dict[str, Any]) -> Claim:
    """Replace (7) or void (8) a paid, accepted or denied claim: a new claim for the same sessions, built
    from them as they are now, carrying the payer's claim number as its original reference
    (REF*F8); the original becomes replaced or voided and its sessions move to the new claim,
    all in one transaction. Answers the original, whose `replaced_by` names the new claim."""
    original = stored.claim
    if original.frequency_code == "8":
        raise Conflict(f"Claim {original.id} is a void: it cannot be replaced or voided")
    reference = data.original_reference or original.payer_claim_number
    if not reference:
        raise ValidationFailed.field("body.original_reference",
                                     "the payer's number for the claim is needed: send it here, or record it as "
                                     "payer_claim_number with the payer's answer")
    pid = principal.practice_id
    sessions = store.claim_sessions(pid, original)
    if not sessions:
        raise Conflict(f"Claim {original.id}'s sessions were deleted: nothing to build its correction from")
    frequency = CORRECTIONS[data.status]
    kind = "replacement" if frequency == "7" else "void"
    correction = _new_claim(principal, sessions, _read_records(pid, sessions), entry["at"],
                            correction=(frequency, reference), note=f"{kind} of {original.id}")
    correction.update(replaces=original.id, original_reference=reference)
    entry = {**entry, "note": entry["note"] or f"{kind} {correction['id']}"}
    return store.correct_claim(pid, stored, correction, status=data.status, entry=entry).claim


def delete_claim(*, principal: Principal, claim_id: str, expected_version: int) -> None:
    """Delete a claim not yet sent (draft or ready); its sessions can go on a new claim. A
    replacement or void gives its sessions back to the claim it corrected, which returns to
    the status it had (paid, accepted or denied)."""
    stored = _claim_item(principal, claim_id)
    claim = stored.claim
    if claim.status not in ("draft", "ready"):
        how = ("; correct it with the status replaced or voided" if claim.status in CORRECTABLE else "")
        raise Conflict(f"Claim {claim_id} is {claim.status}: only draft or ready claims are deleted{how}")
    if claim.version != expected_version:
        raise store.stale(stored, expected_version)
    restore = None
    if claim.replaces:
        original = store.get_claim(principal.practice_id, claim.replaces)
        status = original.corrected_from or "paid"
        kind = "replacement" if claim.frequency_code == "7" else "void"
        restore = store.Restore(original, status, {"status": status, "at": clock_now(), "by": principal.user_id,
                                                   "note": f"{kind} {claim_id} deleted"})
    store.delete_claim(principal.practice_id, stored, expected_version=expected_version, restore=restore)


# ---- the 837P export --------------------------------------------------------------------

_ENVELOPE_FIELDS = ("submitter_id", "submitter_contact", "submitter_phone", "receiver_id", "receiver_name")


def _envelope(practice: Practice) -> tuple[domain.Submitter, domain.Receiver]:
    submitter_id, contact, phone = practice.submitter_id, practice.submitter_contact, practice.submitter_phone
    receiver_id, receiver_name = practice.receiver_id, practice.receiver_name
    if not (submitter_id and contact and phone and receiver_id and receiver_name):
        missing = [f for f in _ENVELOPE_FIELDS if not getattr(practice, f)]
        raise Conflict("The practice needs its clearinghouse details before an export: "
                       + ", ".join(missing) + " (PATCH /v1/practice)", fields=missing)
    return (domain.Submitter(name=practice.name, submitter_id=submitter_id, contact_name=contact, phone=phone,
                             record_id=practice.id),
            domain.Receiver(name=receiver_name, receiver_id=receiver_id))


def export_claims(*, principal: Principal, data: ExportCreate) -> ClaimExport:
    """The payer's ready claims (up to 99, oldest first) as one 837P file. The claims become
    submitted and the file is stored in the same transaction; a claim another export took in
    the meantime makes this one start again with a new control number."""
    pid = principal.practice_id
    payer = payer_store.find_payer(pid, data.payer_id)
    if payer is None:
        raise ValidationFailed.field("body.payer_id", "no such payer in the catalogue")
    for _ in range(5):
        ready = store.ready_claims(pid, data.payer_id, limit=MAX_CLAIMS_PER_EXPORT)
        if not ready:
            raise Conflict(f"Payer {data.payer_id} has no ready claims to export")
        practice = load_practice(pid)
        submitter, receiver = _envelope(practice)
        sessions = [s for stored in ready for s in store.claim_sessions(pid, stored.claim)]
        records = _read_records(pid, sessions)
        created_at = datetime.now(ZoneInfo(practice.time_zone)).replace(tzinfo=None)

        envelope = {"submitter": submitter, "receiver": receiver, "created_at": created_at,
                    "sender_id": submitter.submitter_id, "receiver_interchange_id": receiver.receiver_id}

        def batch(claims: tuple[domain.Claim, ...], number: int, envelope: dict[str, Any] = envelope) -> Batch:
            return Batch(claims=claims, interchange_control_number=number, group_control_number=number, **envelope)

        built: list[domain.Claim] = []
        taken: list[tuple[StoredClaim, dict[str, Any]]] = []  # (claim, its header now)
        left_out: list[LeftOut] = []
        stamp = clock_now()
        leaving: list[store.Move] = []  # the left-out claims' moves, written with the export

        def entry(status: str, note: str, at: str = stamp) -> dict[str, Any]:
            return {"status": status, "at": at, "by": principal.user_id, "note": note}

        for item in ready:
            claim, view = _rebuild(pid, item.claim, records)
            # The claim on record is the claim as read now (in the file, when it is taken): its
            # lines, diagnoses, charge and authorization number too, where a session changed since its check.
            header = {k: view[k] for k in (*_HEADER, *_SENT) if k in view}
            problems = view["problems"]
            if claim is not None and not problems:
                try:  # an identifier carrying an X12 delimiter cannot be written as it is
                    write_837p(batch((claim,), 1))
                except ValueError as err:
                    problems = [{"record": "claim", "record_id": item.claim.id, "field": "x12", "reason": str(err)}]
            payer_now = header.get("payer_ref", item.claim.payer_id)
            if problems or claim is None:
                left = LeftOut(claim_id=item.claim.id, payer_id=payer_now, problems=problems)
                leaving.append(store.draft_move(item, problems=left.model_dump(mode="json")["problems"],
                                                header=header, entry=entry("draft", "new problems found at export")))
            elif payer_now != data.payer_id:
                # Its client's insurance names another payer now: never in this payer's file; it
                # stays ready, under the payer it is for now.
                left = LeftOut(claim_id=item.claim.id, payer_id=payer_now, problems=[])
                leaving.append(store.refresh_ready_move(item, header=header, entry=entry(
                    "ready", f"left out of an export for {data.payer_id}: now for payer {payer_now}")))
            else:
                built.append(claim)
                taken.append((item, header))
                continue
            left_out.append(left)
        if not built:
            if not store.leave_out(pid, leaving):
                continue  # another export or a check moved one of these claims: read them again
            raise Conflict("None of this payer's ready claims can be exported now: those with new problems are "
                           "back in draft, those now for another payer are filed under it",
                           left_out=[lo.model_dump(mode="json") for lo in left_out])
        number = store.next_control_number(pid)
        text = write_837p(batch(tuple(built), number))
        export_id = new_id("exp")
        export = {"id": export_id, "payer_id": data.payer_id, "claim_ids": [i.claim.id for i, _ in taken],
                  "interchange_control_number": number, "group_control_number": number,
                  "created_by": principal.user_id, "x12": text,
                  "left_out": [lo.model_dump(mode="json") for lo in left_out]}
        submitted = entry("submitted", f"export {export_id}")
        saved = store.save_export(pid, export, [*[store.submit_move(i, export_id=export_id, header=header,
                                                                    entry=submitted) for i, header in taken],
                                                *leaving])
        if saved is None:
            continue  # another export or a check moved one of these claims: read them again
        return saved
    raise Conflict("The payer's claims kept changing during the export; try again")


def exports_page(*, principal: Principal, query: ExportQuery,
                 start_key: dict | None) -> tuple[list[ExportSummary], dict | None]:
    """The practice's exports, newest first (one Query of its partition)."""
    exports, last_key = store.exports_page(principal.practice_id, payer_id=query.payer_id, limit=query.limit,
                                           start_key=start_key)
    return [ExportSummary.model_validate({**e.model_dump(exclude={"x12", "left_out"}),
                                          "claim_count": len(e.claim_ids)}) for e in exports], last_key


def get_export(*, principal: Principal, export_id: str) -> ClaimExport:
    return store.get_export(principal.practice_id, export_id)
