"""Group attendance: each member is marked on their own, and each attending member's own pack
or authorization is charged through the charging service in the same transaction as their mark
and their client session. A member's change of mark gives back what the old mark took before
the new one charges, so a member is charged exactly once whatever is resubmitted or raced.
"""
from __future__ import annotations

import contextvars
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.auth import Principal
from chalicelib.clock import now as clock_now
from chalicelib.config import get_settings
from chalicelib.domain.charging import ChargeDecision, shown_authorization
from chalicelib.domain.entitlements import BillTo
from chalicelib.domain.groups import CHARGEABLE, Mark, member_at, same_mark, summary
from chalicelib.domain.practice import Practice
from chalicelib.domain.scheduling import mark_steps
from chalicelib.errors import Conflict, NotFound, ValidationFailed
from chalicelib.models.codes import BillingCode
from chalicelib.models.entitlements import ChargeRequest
from chalicelib.models.groups import (
    AttendanceUpdate,
    Group,
    GroupAttendance,
    MemberAttendance,
    NotCharged,
)
from chalicelib.models.invoices import InvoiceChange, PaymentCreate
from chalicelib.models.sessions import ClientSession
from chalicelib.services import appointments, charging, groups, invoices, sessions
from chalicelib.services.practice import cached_practice
from chalicelib.store import attendance as attendance_store
from chalicelib.store import entitlements as entitlement_store
from chalicelib.store import retry
from chalicelib.store import sessions as session_store
from chalicelib.store.appointments import StoredAppointment
from chalicelib.store.history import history_marker, history_refused

ZERO = Decimal("0.00")
_ATTEMPTS = 8  # a member's mark re-read this often before the member is reported as changing too fast


class _Raced(Exception):
    """Someone else changed this member's mark between our read and our write."""


def _load(principal: Principal,
          appointment_id: str) -> tuple[StoredAppointment, Group, dict[str, Mark]]:
    """The group appointment, its group and every member's mark (see groups.group_session)."""
    appointment, group, marks = groups.group_session(principal, appointment_id)
    if appointment is None:
        raise NotFound("Appointment", appointment_id)
    if group is None:
        raise Conflict("This is not a group appointment; set its status with "
                       f"POST /v1/appointments/{appointment_id}/status")
    return appointment, group, marks


def _roster(principal: Principal, appointment: StoredAppointment, marks: dict[str, Mark]) -> dict[str, str]:
    """client id → name of everyone on the session: members at its start time, and anyone
    marked (a member removed later keeps the marks they have)."""
    start = datetime.fromisoformat(appointment.start)
    roster = {m.client_id: m.client_name for m in groups.members(principal.practice_id, appointment.group_id or "")
              if member_at(m.periods, start)}
    roster.update({cid: mark.client_name for cid, mark in marks.items()})
    return roster


def get_attendance(*, principal: Principal, appointment_id: str) -> GroupAttendance:
    appointment, _, marks = _load(principal, appointment_id)
    return _answer(appointment, _roster(principal, appointment, marks), numbered(principal.practice_id, marks), {})


def mark_attendance(*, principal: Principal, appointment_id: str, update: AttendanceUpdate) -> GroupAttendance:
    """Mark all attended and/or set single members; members whose mark does not change are
    left alone, so sending the same marks twice charges nothing twice."""
    practice = cached_practice(principal.practice_id)
    appointment, _, marks = _load(principal, appointment_id)
    if appointment.status == "cancelled":
        raise Conflict("The group session is cancelled")
    roster = _roster(principal, appointment, marks)
    wanted = _wanted(update, appointment, roster)
    codes, pos, found = _codes(principal, practice, appointment, update, wanted, marks)

    def one(client_id: str, mark: dict[str, Any]) -> dict[str, Any]:
        member = _Member(roster[client_id], client_id, *found[client_id])
        return _apply(principal, practice, appointment, member, marks.get(client_id), mark, codes, pos)

    # Members touch disjoint items (their own balances, mark and session), so their
    # transactions run side by side; each gets a copy of the request context, whose DynamoDB
    # meter counts their calls.
    with ThreadPoolExecutor(max_workers=max(1, min(get_settings().attendance_workers, len(wanted)))) as pool:
        futures = {cid: pool.submit(contextvars.copy_context().run, one, cid, mark) for cid, mark in wanted.items()}
    results = {}
    for client_id, future in futures.items():
        try:
            results[client_id] = future.result()
        except Conflict as err:  # this member only: the others' marks stand and are reported
            results[client_id] = {"mark": marks.get(client_id), "changed": False, "error": err.detail}
        if results[client_id]["mark"] is not None:
            marks[client_id] = results[client_id]["mark"]
    # A mark written now carries the number its charge just read; the others are read again.
    fresh = {cid for cid, result in results.items() if result["changed"]}
    shown = numbered(principal.practice_id, {cid: m for cid, m in marks.items() if cid not in fresh})
    return _answer(appointment, roster, {**marks, **shown}, results)


def numbered(practice_id: str, marks: dict[str, Mark]) -> dict[str, Mark]:
    """Marks with the number of the authorization their member's session counts against, as
    it is now, as the session shows it (sessions.shown): one read for all, none when no mark
    names an authorization."""
    wanted = list(dict.fromkeys((m.client_id, m.authorization_id) for m in marks.values() if m.authorization_id))
    current = entitlement_store.authorizations(practice_id, wanted)
    out = {}
    for client_id, mark in marks.items():
        auth = current.get((mark.client_id, mark.authorization_id)) if mark.authorization_id else None
        number, _ = shown_authorization((mark.prior_authorization_number, None), mark.authorization_id, auth)
        out[client_id] = replace(mark, prior_authorization_number=number)
    return out


def _wanted(update: AttendanceUpdate, appointment: StoredAppointment,
            roster: dict[str, str]) -> dict[str, dict[str, Any]]:
    """client id → the mark asked for, with the code it bills under resolved."""
    wanted: dict[str, dict[str, Any]] = {}
    if update.all_attended:
        wanted = {cid: {"status": "attended", "fee": "default"} for cid in sorted(roster)}
    errors = []
    for i, mark in enumerate(update.members):
        if mark.client_id not in roster:
            errors.append({"field": f"body.members.{i}.client_id",
                           "reason": "is not a member of the group at this session's time"})
        wanted[mark.client_id] = mark.model_dump(mode="json", exclude={"client_id"})
    if errors:
        raise ValidationFailed(errors)
    for asked in wanted.values():
        asked.setdefault("minutes", None)
        asked.setdefault("custom_code", None)
        asked.setdefault("paid_at_session", None)
        if asked["fee"] == "custom":
            asked["billing_code"] = asked["custom_code"]["code"]
        elif asked["fee"] != "code":
            # The session's own code: for anyone who attended (a no-fee session is still a
            # session), and for a missed session that may be charged; none otherwise.
            billed = asked["status"] == "attended" or (asked["fee"] == "default" and asked["status"] in CHARGEABLE)
            asked["billing_code"] = appointment.billing_code if billed else None
    return wanted


class _Member:
    """One member being marked: their name, id, whether their client has a history (for the
    history marker; None: no such client) and the session their current mark recorded, if any
    (a re-mark keeps its bill_to)."""

    def __init__(self, name: str, client_id: str, history: bool | None, session: ClientSession | None) -> None:
        self.name, self.client_id, self.history, self.session = name, client_id, history, session

    def bill_to(self) -> BillTo:
        return "client" if self.session is not None and self.session.bill_to == "client" else "automatic"


def _codes(principal: Principal, practice: Practice, appointment: StoredAppointment, update: AttendanceUpdate,
           wanted: dict[str, dict[str, Any]], marks: dict[str, Mark]
           ) -> tuple[dict[str, BillingCode], str, dict[str, tuple[bool | None, ClientSession | None]]]:
    """The practice's codes the marks bill under (custom codes built from the mark), the
    session's place of service, and per member marked: whether their client has a history and
    the session their current mark recorded. One read (a batch per 100 keys)."""
    pid = principal.practice_id
    standard = sorted({m["billing_code"] for m in wanted.values() if m["billing_code"] and m["fee"] != "custom"})
    recorded = [cid for cid in wanted if (held_mark := marks.get(cid)) is not None and held_mark.session_id]
    found = attendance_store.read_for_marks(
        pid, appointment.id, codes=standard, location_id=appointment.location_id, client_ids=list(wanted),
        recorded=recorded)
    histories = dict(zip(wanted, found.histories, strict=True))
    held = dict(zip(recorded, found.sessions, strict=True))
    members = {cid: (histories[cid], held.get(cid)) for cid in wanted}
    by_code = dict(zip(standard, found.codes, strict=True))
    fields = {m.billing_code: f"body.members.{i}.billing_code" for i, m in enumerate(update.members) if m.billing_code}
    errors = [{"field": fields.get(code, "body.all_attended"),
               "reason": f"{code} is not a billing code of the practice"}
              for code, billing in by_code.items() if billing is None or billing.add_on]
    if errors:
        raise ValidationFailed(errors)
    codes = {c: billing for c, billing in by_code.items() if billing is not None}
    stamp = clock_now()
    for mark in wanted.values():
        if mark["fee"] == "custom":
            custom = mark["custom_code"]
            codes[custom["code"]] = BillingCode(code=custom["code"], description=custom["description"],
                                                default_minutes=0, default_charge=Decimal(custom["fee"]),
                                                add_on=False, active=True, version=1, created_at=stamp,
                                                updated_at=stamp)
    pos = appointments.place_of_service(practice, appointment.telehealth,
                                        found.location.place_of_service if found.location else None)
    return codes, pos, members


def _apply(principal: Principal, practice: Practice, appointment: StoredAppointment, member: _Member,
           current: Mark | None, mark: dict[str, Any], codes: dict[str, BillingCode],
           pos: str) -> dict[str, Any]:
    """Move one member to the mark asked for, re-reading their mark if someone raced us (the
    store's one optimistic loop)."""
    client_id = member.client_id
    seen: dict[str, Mark | None] = {"mark": current}

    def attempt(state: retry.Attempt) -> dict[str, Any]:
        if state.number:
            seen["mark"] = attendance_store.get_mark(principal.practice_id, appointment.id, client_id)
        if same_mark(seen["mark"], mark):
            return {"mark": seen["mark"], "changed": False}
        try:
            return _transition(principal, practice, appointment, member.name, client_id, seen["mark"], mark, codes,
                               pos, member)
        except _Raced as raced:
            raise retry.Again("the member's mark changed between the read and the write") from raced

    return retry.optimistic(attempt, what=f"mark client {client_id}", attempts=_ATTEMPTS, exhausted=lambda: Conflict(
        f"Client {client_id}'s attendance is changing too fast; read it again and retry"))


def _transition(principal: Principal, practice: Practice, appointment: StoredAppointment, name: str, client_id: str,
                current: Mark | None, mark: dict[str, Any], codes: dict[str, BillingCode],
                pos: str, member: _Member) -> dict[str, Any]:
    bill_to = member.bill_to()  # read before the old session is dropped: a re-mark keeps it
    version = current.version if current else 0
    written: dict[str, Any] = {"mark": current, "changed": True}
    steps = mark_steps(current.status if current else None, mark["status"], mark["fee"])
    if steps.drop_session and not steps.records_session:
        sessions.refuse_if_billed(principal.practice_id, client_id, appointment.id)
    if steps.give_back:
        # Give back what the old mark took (and drop its session) before charging the new one.
        interim = {"status": "unmarked", "fee": "default", "billing_code": None, "minutes": None, "custom_code": None}
        written["reversal"] = charging.reverse_session(
            principal=principal, client_id=client_id, session_ref=appointment.id,
            companion=_mark_write(principal.practice_id, appointment, member, interim, version, written,
                                  drop_session=steps.drop_session))
        version += 1
        if steps.done_after_give_back:
            return written
    day = datetime.fromisoformat(appointment.start).astimezone(ZoneInfo(practice.time_zone)).date()
    session = None
    if steps.records_session:
        code = codes[mark["billing_code"]]
        start, end = datetime.fromisoformat(appointment.start), datetime.fromisoformat(appointment.end)
        minutes = mark["minutes"] if mark["minutes"] is not None else int((end - start).total_seconds() // 60)
        fee = ZERO if mark["fee"] == "none" else code.default_charge
        session = {"date_of_service": day.isoformat(), "billing_code": code.code, "minutes": minutes,
                   "fee": f"{fee:.2f}", "location_id": appointment.location_id, "appointment_id": appointment.id,
                   "group_id": appointment.group_id, "bill_to": bill_to, "place_of_service": pos,
                   "paid_at_session": mark["paid_at_session"], "additional_diagnoses": [], "modifiers": [],
                   "additional_dates": [], "add_on_codes": []}
    companion = _mark_write(principal.practice_id, appointment, member, mark, version, written, session=session)
    if steps.charge:
        code = codes[mark["billing_code"]]
        request = ChargeRequest(session_ref=appointment.id, date=day, billing_code=code.code,
                                minutes=session["minutes"] if session else None,
                                fee=Decimal(session["fee"]) if session else None, attendance=mark["status"],
                                bill_to=bill_to)
        written["charge"] = charging.charge_session(principal=principal, client_id=client_id, request=request,
                                                    code=code, companion=companion)
        if written["charge"].status == "already_charged":
            raise _Raced()  # a concurrent mark charged this member: see what it wrote
    else:
        attendance_store.write_alone(companion.actions(None),
                                     lambda err, start: companion.refused(err, start) or _Raced())
    return written


def _mark_write(practice_id: str, appointment: StoredAppointment, member: _Member, mark: dict[str, Any],
                version: int, written: dict[str, Any], *, session: dict[str, Any] | None = None,
                drop_session: bool = False) -> charging.Companion:
    """The member's mark (and the client session it records or drops) as the companion of the
    charge or reversal that goes with it."""
    name, client_id = member.name, member.client_id
    marker_at: dict[str, int] = {}

    def actions(decision: ChargeDecision | None) -> list[dict[str, Any]]:
        charged, reason = _charged_lines(decision, mark)
        number, why = decision.authorization_stamp() if decision else (None, reason)
        item = Mark(client_id=client_id, client_name=name, status=mark["status"], fee=mark["fee"],
                    billing_code=mark["billing_code"], minutes=mark["minutes"], custom_code=mark["custom_code"],
                    amount=session["fee"] if session else None, session_id=appointment.id if session else None,
                    charged=charged, not_charged_reason=reason, prior_authorization_number=number,
                    authorization_id=decision.authorization_id if decision else None,
                    version=version + 1, updated_at=clock_now())
        writes = [attendance_store.put_mark_action(practice_id, appointment.id, item,
                                                   expected_version=version or None)]
        marker_at.clear()
        if session is not None:
            recorded = sessions.new_session_item(practice_id, client_id, appointment.id, session, (number, why),
                                                 decision.authorization_id if decision else None)
            writes.append(session_store.put_action(practice_id, client_id, recorded))
            marker = history_marker(practice_id, client_id, member.history)
            if marker:
                marker_at["index"] = len(writes)
            writes += marker
        if drop_session:
            writes.append(session_store.drop_action(practice_id, client_id, appointment.id))
        written["mark"] = item
        return writes

    # The client gone is a 404; the mark or the session refused means a concurrent mark got
    # there first: read it again.
    return charging.Companion(actions=actions, refused=lambda err, start: history_refused(
        err, start + marker_at["index"] if "index" in marker_at else None, client_id)
        or (_Raced() if any(i >= start for i in err.failed()) else None))


def _charged_lines(decision: ChargeDecision | None, mark: dict[str, Any]) -> tuple[list[str], str | None]:
    """What a charge counted ("pack 'Group 10': 3 of 10 sessions") or why nothing was."""
    if mark["status"] not in CHARGEABLE:
        return [], None
    if mark["fee"] == "none":
        return [], "no fee"
    if decision is None:
        return [], "nothing to charge"
    lines = decision.member_lines()
    if lines:
        return lines, None
    reasons = [r for r in (decision.authorization_reason if mark["status"] == "attended" else None,
                           decision.pack_reason) if r]
    return [], "; ".join(reasons) or "nothing to charge"


def _answer(appointment: StoredAppointment, roster: dict[str, str], marks: dict[str, Mark],
            results: dict[str, dict[str, Any]]) -> GroupAttendance:
    members = []
    for client_id in sorted(roster, key=lambda c: (roster[c], c)):
        mark = marks.get(client_id) or Mark(client_id=client_id, client_name=roster[client_id], status="unmarked",
                                            fee="default", version=0)
        result = results.get(client_id, {})
        # Validated: the stored status, fee and amount are read as the API states them.
        members.append(MemberAttendance.model_validate({
            "client_id": client_id, "client_name": roster[client_id], "status": mark.status, "fee": mark.fee,
            "billing_code": mark.billing_code, "amount": mark.amount, "session_id": mark.session_id,
            "charged": mark.charged or [], "not_charged_reason": mark.not_charged_reason,
            "prior_authorization_number": mark.prior_authorization_number,
            "summary": summary(mark.status, mark.billing_code, mark.charged or [], mark.not_charged_reason),
            "changed": result.get("changed", False), "charge": result.get("charge"),
            "reversal": result.get("reversal"), "error": result.get("error"), "version": mark.version}))
    not_charged = [NotCharged(client_id=m.client_id, reason=m.not_charged_reason) for m in members
                   if m.status in CHARGEABLE and not m.charged and m.not_charged_reason]
    return GroupAttendance(appointment_id=appointment.id, group_id=appointment.group_id or "", members=members,
                           not_charged=not_charged)


def member_payment(*, principal: Principal, appointment_id: str, client_id: str,
                   data: PaymentCreate) -> InvoiceChange:
    """Take a payment from one member of a group session: onto the invoice of their session,
    created on the first payment."""
    _, _, marks = _load(principal, appointment_id)
    mark = marks.get(client_id)
    if mark is None or not mark.session_id:
        raise Conflict("Only a member marked attended has a session to pay for")
    return invoices.pay_session(principal=principal, client_id=client_id, session_id=mark.session_id, data=data)
