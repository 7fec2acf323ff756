"""Stateful property-based test of the whole API: a hypothesis state machine drives random
sequences of real requests (templates, packs, authorizations, charges, appointments and
series, group sessions and attendance, client sessions, invoices, groups and their sharing
and members, notes and signing) through chalice's test client over moto, each as a randomly
drawn caller: the admin, the practitioner who owns the thing or another one, front desk,
billing, or another practice's staff.

After every request tests/api/stateful_harness.py checks: no 5xx; 403 for a role the route
table does not allow, 404 for another practice's ids and for a group, group session or note
the caller may not see; a refused request changed nothing; every balance equals its ledger and
is never negative; a signed note never changes. The figures (examples, steps, requests, 5xx)
are printed at the end.

Budget: CASELOAD_STATEFUL_EXAMPLES (default 25) examples of CASELOAD_STATEFUL_STEPS (default 30)
steps, derandomized so `make test` is stable; CASELOAD_STATEFUL_RANDOM=1 draws new examples
each run (for `make fuzz`, with many more examples).
"""
from __future__ import annotations

import logging
import os
import sys
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.api.stateful_harness import (
    ACTORS,
    ADMIN,
    FIGURES,
    FRONT_DESK,
    HOME_ACTORS,
    LOCATION,
    PRACTITIONERS,
    ROOM,
    TODAY,
    UNITS_CODE,
    WINDOW,
    AccessViolation,
    Actor,
    ContractViolation,
    Harness,
    Ref,
    build_baseline,
    etag,
    find,
    pick,
    restore,
    violation,
)

EXAMPLES = int(os.environ.get("CASELOAD_STATEFUL_EXAMPLES", "25"))
STEPS = int(os.environ.get("CASELOAD_STATEFUL_STEPS", "30"))
RANDOM = os.environ.get("CASELOAD_STATEFUL_RANDOM", "") not in ("", "0")

actors = st.sampled_from(ACTORS)
home_actors = st.sampled_from(HOME_ACTORS)
codes = st.sampled_from(["90837", "90834", "90832", "90791", "90853", UNITS_CODE])
code_rules = st.one_of(
    st.none(),
    st.builds(lambda mode, picked: {"mode": mode, "codes": sorted(picked)},
              st.sampled_from(["only", "all_except"]),
              st.sets(st.sampled_from(["90837", "90834", "90791", "90853", UNITS_CODE]), min_size=1, max_size=2)),
    st.just({"mode": "all_except", "codes": []}),
)
validities = st.one_of(st.none(), st.fixed_dictionaries({
    "amount": st.sampled_from([1, 3, 30]), "unit": st.sampled_from(["days", "months"]),
    "starts": st.sampled_from(["purchase", "first_use"])}))
measures = st.sampled_from(["sessions", "minutes", "money"])
quantities = {"sessions": st.sampled_from(["1", "2", "3", "6"]), "minutes": st.sampled_from(["60", "90", "300"]),
              "money": st.sampled_from(["100.00", "250.50", "1000"])}
days = st.integers(-21, 13)  # relative to today: past sessions to attend, future ones to book
hours = st.sampled_from([9, 10, 14])
lengths = st.sampled_from([30, 50, 60])
recurrences = st.one_of(st.none(), st.builds(lambda f, n: {"frequency": f, "count": n},
                                             st.sampled_from(["weekly", "fortnightly"]), st.integers(2, 3)))
since = st.sampled_from([None, "2019-01-01T00:00:00Z"])
money = st.sampled_from(["0.00", "45.00", "180.00", "999.99"])
minutes = st.sampled_from([None, 0, 30, 53, 60])
refs = st.sampled_from(["s1", "s2", "s3"])
stale = st.sampled_from([False, False, False, True])


def made(kind: str) -> st.SearchStrategy:
    """One of the things of `kind` this run made (rules using it need a precondition that there is one)."""
    return st.runner().flatmap(lambda machine: st.sampled_from(machine.made.get(kind) or [None]))


def _slot(day: int, hour: int, length: int) -> tuple[str, str]:
    start = f"{(TODAY + timedelta(days=day)).isoformat()}T{hour:02d}:00:00"
    end_minute = hour * 60 + length
    return start, f"{(TODAY + timedelta(days=day)).isoformat()}T{end_minute // 60:02d}:{end_minute % 60:02d}:00"


def _client_scopes(client_id: str) -> tuple:
    return (("packs", client_id), ("auths", client_id), ("sessions", client_id), ("invoices", client_id))


class CaseloadMachine(RuleBasedStateMachine):
    # Set by the test before running: the Api client and the database baseline.
    api = None
    baseline = None

    clients = Bundle("clients")
    templates = Bundle("templates")
    packs = Bundle("packs")
    authorizations = Bundle("authorizations")
    appointments = Bundle("appointments")
    sessions = Bundle("sessions")
    invoices = Bundle("invoices")
    notes = Bundle("notes")

    def __init__(self) -> None:
        super().__init__()
        restore(self.baseline)
        self.h = Harness(self.api)
        self.count = {"clients": 0, "groups": 0, "templates": 0, "packs": 0}
        self.note_info: dict[str, dict] = {}
        self.made: dict[str, list[Ref]] = {}
        FIGURES.examples += 1

    def _keep(self, *made: Ref):
        """Remember what was made (for reads, and the ids another practice must not learn)."""
        for ref in made:
            self.made.setdefault(ref.kind, []).append(ref)
            self.h.known_ids.add(ref.id)
        return made[0] if len(made) == 1 else multiple(*made)

    def _step(self) -> Harness:
        FIGURES.steps += 1
        return self.h

    # ---- what a caller may see ----

    def _group(self, group_id: str) -> dict | None:
        read = self.h.ensure(("group", group_id))
        return read["group"] if read else None

    def _group_hidden(self, actor: Actor, group_id: str) -> bool:
        group = self._group(group_id)
        if actor.role != "practitioner" or group is None:
            return False
        return actor.user_id not in {group["practitioner_id"], *group["shared_with"]}

    def _note_hidden(self, actor: Actor, note_id: str) -> bool:
        info = self.note_info[note_id]
        if actor.role == "admin" or info["practitioner_id"] == actor.user_id:
            return False
        return not (actor.role == "practitioner" and info.get("group_id")
                    and not self._group_hidden(actor, info["group_id"]))

    def _members(self, group_id: str, active_only: bool = True) -> list[str]:
        read = self.h.ensure(("group", group_id))
        return [m["client_id"] for m in (read or {}).get("members") or [] if m["active"] or not active_only]

    def _group_session_scopes(self, group_id: str) -> tuple:
        read = self.h.ensure(("group", group_id))
        return (("group", group_id), *(("attendance", s["id"]) for s in (read or {}).get("sessions") or []))

    def _note_scopes(self, note_id: str) -> tuple:
        info = self.note_info[note_id]
        if info.get("group_id"):
            return (("group_notes", info["group_id"]),
                    *(("client_notes", c) for c in self._members(info["group_id"], active_only=False)))
        return (("client_notes", info["client_id"]),)

    # ---- clients, templates, packs, authorizations ----

    @initialize(target=clients, runner=st.sampled_from(PRACTITIONERS))
    def a_practice_at_work(self, runner):
        """Two clients, both members (since long ago) of a group whose past and coming sessions
        are booked: so that a run of 30 steps reaches attendance, notes and signing."""
        h = self._step()
        made = [h.act(ADMIN, "create_client", body={"first_name": name, "last_name": "First"}).body["id"]
                for name in ("Ana", "Ben")]
        self.count["clients"] += 2
        group = h.act(ADMIN, "create_group", body={"name": "Monday group", "initials": "MG",
                                                  "practitioner_id": runner}).body["id"]
        self.count["groups"] += 1
        for client_id in made:
            h.act(ADMIN, "add_group_member", {"group_id": group}, {"client_id": client_id,
                                                                   "since": "2019-01-01T00:00:00Z"})
        self._keep(Ref("group", group))
        for day in (-2, 5):
            start, end = _slot(day, 17, 60)
            booked = h.act(FRONT_DESK, "book_group_appointment", {"group_id": group},
                           {"location_id": LOCATION, "start": start, "end": end}).body["appointments"]
            self._keep(Ref("group_session", booked[0]["id"], group_id=group))
        return self._keep(*(Ref("client", c) for c in made))

    @precondition(lambda self: self.count["clients"] < 4)
    @rule(target=clients, actor=home_actors, first=st.sampled_from(["Bo", "Émile", "O'Neil", "Zoë"]))
    def create_client(self, actor, first):
        reply = self._step().act(actor, "create_client", body={"first_name": first, "last_name": "Test"})
        if not reply:
            return multiple()
        self.count["clients"] += 1
        return self._keep(Ref("client", reply.body["id"]))

    @precondition(lambda self: self.count["templates"] < 4)
    @rule(target=templates, actor=home_actors, measure=measures, data=st.data(), validity=validities,
          rule_=code_rules)
    def create_template(self, actor, measure, data, validity, rule_):
        body = {"name": f"{measure} pack", "measure": measure, "quantity": data.draw(quantities[measure]),
                "price": "300.00", **({"validity": validity} if validity else {}),
                **({"codes": rule_} if rule_ else {})}
        reply = self._step().act(actor, "create_pack_template", body=body, scopes=(("templates", "all"),))
        if not reply:
            return multiple()
        self.count["templates"] += 1
        return self._keep(Ref("template", reply.body["id"]))

    @precondition(lambda self: self.count["packs"] < 8)
    @rule(target=packs, actor=actors, client=clients, template=templates, limit=st.sampled_from([None, "2", "5"]),
          no_shows=st.booleans(), late=st.booleans(), renew=st.booleans(), session_picks=st.lists(st.integers(0, 5),
                                                                                                    max_size=2),
          unknown_session=st.booleans())
    def create_pack_from_template(self, actor, client, template, limit, no_shows, late, renew, session_picks,
                                  unknown_session):
        h = self._step()
        delivered = [s["id"] for s in h.ensure(("sessions", client.id)) or []]
        session_ids = sorted({pick(delivered, i) for i in session_picks if delivered})
        if unknown_session:
            session_ids.append("ses_doesnotexist")
        body = {"template_id": template.id, "charge_no_shows": no_shows, "charge_late_cancels": late,
                "auto_renew": renew, **({"limit": limit} if limit else {}),
                **({"session_ids": session_ids} if session_ids else {})}
        reply = h.act(actor, "create_pack", {"client_id": client.id}, body, scopes=_client_scopes(client.id))
        if not reply:
            return multiple()
        self.count["packs"] += 1
        return self._keep(Ref("pack", reply.body["id"], client_id=client.id))

    @precondition(lambda self: self.count["packs"] < 8)
    @rule(target=packs, actor=actors, client=clients, measure=measures, data=st.data(), validity=validities,
          rule_=code_rules, practitioner=st.sampled_from([None, *PRACTITIONERS]))
    def create_pack_from_scratch(self, actor, client, measure, data, validity, rule_, practitioner):
        body = {"name": f"Custom {measure}", "measure": measure, "limit": data.draw(quantities[measure]),
                "price": "120.00", **({"validity": validity} if validity else {}),
                **({"codes": rule_} if rule_ else {}), **({"practitioner_id": practitioner} if practitioner else {})}
        reply = self._step().act(actor, "create_pack", {"client_id": client.id}, body, scopes=_client_scopes(client.id))
        if not reply:
            return multiple()
        self.count["packs"] += 1
        return self._keep(Ref("pack", reply.body["id"], client_id=client.id))

    @rule(target=authorizations, actor=actors, client=clients, units=st.booleans(),
          allowed=st.sampled_from(["1", "3", "8"]), rule_=code_rules, number=st.sampled_from([None, "PA-1"]),
          ends=st.sampled_from([-30, 5, 120]))
    def create_authorization(self, actor, client, units, allowed, rule_, number, ends):
        body = {"payer": "Acme Health", "measure": "units" if units else "sessions",
                "begin_on": (TODAY - timedelta(days=60)).isoformat(),
                "end_on": (TODAY + timedelta(days=ends)).isoformat(),
                "allowed": allowed, **({"number": number} if number else {}), **({"codes": rule_} if rule_ else {})}
        reply = self._step().act(actor, "create_authorization", {"client_id": client.id}, body,
                                 scopes=(("auths", client.id), ("packs", client.id)))
        return self._keep(Ref("authorization", reply.body["id"], client_id=client.id)) if reply else multiple()

    @rule(actor=actors, pack=packs, limit=st.sampled_from(["0.5", "1", "2", "4", "10", "1000"]),
          closed=st.sampled_from([None, True, False]), stale_=stale)
    def edit_pack(self, actor, pack, limit, closed, stale_):
        h = self._step()
        current = find(h.ensure(("packs", pack.client_id)), pack.id)
        body = {"limit": limit, **({"closed": closed} if closed is not None else {})}
        h.act(actor, "update_pack", {"client_id": pack.client_id, "pack_id": pack.id}, body,
              if_match=etag(current, stale_), scopes=_client_scopes(pack.client_id))

    @rule(actor=actors, auth=authorizations, allowed=st.sampled_from(["0", "1", "2", "5"]), stale_=stale,
          end=st.sampled_from([None, -90, -1, 30]))
    def edit_authorization(self, actor, auth, allowed, stale_, end):
        h = self._step()
        current = find(h.ensure(("auths", auth.client_id)), auth.id)
        body = {"allowed": allowed, **({"end_on": (TODAY + timedelta(days=end)).isoformat()} if end else {})}
        h.act(actor, "update_authorization", {"client_id": auth.client_id, "authorization_id": auth.id}, body,
              if_match=etag(current, stale_), scopes=(("auths", auth.client_id), ("packs", auth.client_id)))

    @rule(actor=actors, target_pack=packs, source=packs, stale_=stale)
    def consolidate(self, actor, target_pack, source, stale_):
        h = self._step()
        current = find(h.ensure(("packs", target_pack.client_id)), target_pack.id)
        scopes = _client_scopes(target_pack.client_id)
        if source.client_id != target_pack.client_id:
            scopes += _client_scopes(source.client_id)
        h.act(actor, "consolidate_pack", {"client_id": target_pack.client_id, "pack_id": target_pack.id},
              {"source_pack_id": source.id}, if_match=etag(current, stale_), scopes=scopes)

    @rule(actor=actors, pack=packs, stale_=stale)
    def delete_pack(self, actor, pack, stale_):
        h = self._step()
        current = find(h.ensure(("packs", pack.client_id)), pack.id)
        h.act(actor, "delete_pack", {"client_id": pack.client_id, "pack_id": pack.id},
              if_match=etag(current, stale_), scopes=_client_scopes(pack.client_id))

    @rule(actor=actors, client=clients, limit=st.integers(1, 3))
    def page_through_packs(self, actor, client, limit):
        """Lists take `limit` and `cursor` (README): the pages together are the whole list."""
        h = self._step()
        whole = h.ensure(("packs", client.id))
        seen, cursor = [], None
        for _ in range(20):
            query = {"include_closed": "true", "limit": limit, **({"cursor": cursor} if cursor else {})}
            reply = h.act(actor, "list_packs", {"client_id": client.id}, query=query, must_answer=True)
            if reply is None:
                return
            seen += [p["id"] for p in reply.body["items"]]
            cursor = reply.body.get("next_cursor")
            if len(reply.body["items"]) > limit:
                raise violation(ContractViolation, "list_packs", h._story(f"a page of limit {limit} had more"))
            if not cursor:
                break
        if sorted(seen) != sorted(p["id"] for p in whole or []):
            raise violation(ContractViolation, "list_packs", h._story(f"pages gave {seen}, the list has "
                                                                      f"{[p['id'] for p in whole or []]}"))

    # ---- charges ----

    @rule(actor=actors, client=clients, ref=refs, code=codes, day=days,
          fee=st.sampled_from([None, "0.00", "75.00", "400.00"]), minutes_=minutes,
          attendance=st.sampled_from(["attended", "attended", "no_show", "late_cancel"]))
    def charge(self, actor, client, ref, code, day, fee, minutes_, attendance):
        body = {"session_ref": ref, "date": (TODAY + timedelta(days=min(day, 0))).isoformat(), "billing_code": code,
                "attendance": attendance, **({"fee": fee} if fee else {}),
                **({"minutes": minutes_} if minutes_ is not None else {})}
        self._step().act(actor, "charge_session", {"client_id": client.id}, body,
                         scopes=(("packs", client.id), ("auths", client.id)))

    @rule(actor=actors, client=clients, ref=refs)
    def reverse(self, actor, client, ref):
        self._step().act(actor, "reverse_session_charge", {"client_id": client.id, "session_ref": ref},
                         scopes=(("packs", client.id), ("auths", client.id)))

    # ---- client sessions and invoices ----

    @rule(target=sessions, actor=actors, client=clients, code=codes, day=days, minutes_=minutes,
          fee=st.sampled_from([None, "0.00", "90.00"]), bill_to=st.sampled_from(["automatic", "automatic", "client"]))
    def create_session(self, actor, client, code, day, minutes_, fee, bill_to):
        body = {"date_of_service": (TODAY + timedelta(days=min(day, 0))).isoformat(), "billing_code": code,
                "bill_to": bill_to, **({"fee": fee} if fee else {}),
                **({"minutes": minutes_} if minutes_ is not None else {})}
        reply = self._step().act(actor, "create_session", {"client_id": client.id}, body,
                                 scopes=_client_scopes(client.id))
        if reply:
            self._check_bill_to(client.id, reply.body["session"])
        return self._keep(Ref("session", reply.body["session"]["id"], client_id=client.id)) if reply else multiple()

    @rule(actor=actors, session=sessions, code=st.sampled_from([None, "90834", "90791", UNITS_CODE]),
          minutes_=minutes, fee=st.sampled_from([None, "10.00", "500.00"]),
          bill_to=st.sampled_from([None, "automatic", "client"]), day=st.sampled_from([None, -3, -40]), stale_=stale)
    def edit_session(self, actor, session, code, minutes_, fee, bill_to, day, stale_):
        h = self._step()
        current = find(h.ensure(("sessions", session.client_id)), session.id)
        body = {k: v for k, v in {"billing_code": code, "minutes": minutes_, "fee": fee, "bill_to": bill_to,
                                  "date_of_service": (TODAY + timedelta(days=day)).isoformat() if day else None}.items()
                if v is not None} or {"comments": "edited"}
        reply = h.act(actor, "update_session", {"client_id": session.client_id, "session_id": session.id}, body,
                      if_match=etag(current, stale_), scopes=_client_scopes(session.client_id))
        if reply:
            self._check_bill_to(session.client_id, reply.body["session"])

    @rule(actor=actors, session=sessions, stale_=stale)
    def delete_session(self, actor, session, stale_):
        h = self._step()
        current = find(h.ensure(("sessions", session.client_id)), session.id)
        h.act(actor, "delete_session", {"client_id": session.client_id, "session_id": session.id},
              if_match=etag(current, stale_), scopes=_client_scopes(session.client_id))

    def _check_bill_to(self, client_id: str, session: dict) -> None:
        """bill_to client bypasses insurance: no authorization counts it, no number is stamped."""
        if session["bill_to"] != "client":
            return
        h = self.h
        usages = h.send(ADMIN, "GET", f"/v1/clients/{client_id}/charges/{session['id']}")
        counted = [u for u in (usages.body or {}).get("usages", []) if u["kind"] == "authorization"]
        if session.get("prior_authorization_number") or counted:
            raise violation(ContractViolation, "bill_to client", h._story(
                f"session {session['id']} billed to the client carries authorization number "
                f"{session.get('prior_authorization_number')!r}, authorization usages {counted}"))

    @rule(target=invoices, actor=actors, session=sessions)
    def invoice_session(self, actor, session):
        reply = self._step().act(actor, "create_invoice", {"client_id": session.client_id},
                                 {"session_id": session.id}, scopes=_client_scopes(session.client_id))
        return self._keep(Ref("invoice", reply.body["id"], client_id=session.client_id)) if reply else multiple()

    @rule(target=invoices, actor=actors, pack=packs)
    def invoice_pack(self, actor, pack):
        reply = self._step().act(actor, "create_invoice", {"client_id": pack.client_id}, {"pack_id": pack.id},
                                 scopes=_client_scopes(pack.client_id))
        return self._keep(Ref("invoice", reply.body["id"], client_id=pack.client_id)) if reply else multiple()

    @rule(actor=actors, invoice=invoices, pack=packs, stale_=stale)
    def apply_pack(self, actor, invoice, pack, stale_):
        h = self._step()
        current = find(h.ensure(("invoices", invoice.client_id)), invoice.id)
        scopes = _client_scopes(invoice.client_id)
        if pack.client_id != invoice.client_id:
            scopes += _client_scopes(pack.client_id)
        h.act(actor, "apply_pack_to_invoice", {"client_id": invoice.client_id, "invoice_id": invoice.id},
              {"pack_id": pack.id}, if_match=etag(current, stale_), scopes=scopes)

    @rule(actor=actors, invoice=invoices, stale_=stale)
    def remove_pack(self, actor, invoice, stale_):
        h = self._step()
        current = find(h.ensure(("invoices", invoice.client_id)), invoice.id)
        h.act(actor, "remove_pack_from_invoice", {"client_id": invoice.client_id, "invoice_id": invoice.id},
              if_match=etag(current, stale_), scopes=_client_scopes(invoice.client_id))

    @rule(actor=actors, invoice=invoices, amount=st.sampled_from(["0.01", "50.00", "10000.00"]))
    def pay_invoice(self, actor, invoice, amount):
        self._step().act(actor, "add_payment", {"client_id": invoice.client_id, "invoice_id": invoice.id},
                         {"amount": amount, "method": "card"}, scopes=(("invoices", invoice.client_id),))

    # ---- appointments ----

    @rule(target=appointments, actor=actors, client=clients, practitioner=st.sampled_from(PRACTITIONERS), day=days,
          hour=hours, length=lengths, code=st.sampled_from(["90837", "90791", UNITS_CODE]),
          room=st.booleans(), override=st.booleans(), recurrence=recurrences)
    def book(self, actor, client, practitioner, day, hour, length, code, room, override, recurrence):
        start, end = _slot(day, hour, length)
        body = {"client_id": client.id, "practitioner_id": practitioner, "location_id": LOCATION, "start": start,
                "end": end, **({"billing_code": code} if code else {}), **({"room_id": ROOM} if room else {}),
                **({"override_room_conflict": True} if override else {}),
                **({"recurrence": recurrence} if recurrence else {})}
        reply = self._step().act(actor, "book_appointment", body=body,
                                 scopes=(("appts", client.id), ("packs", client.id), ("auths", client.id)))
        if not reply:
            return multiple()
        return self._keep(*(Ref("appointment", a["id"], client_id=client.id) for a in reply.body["appointments"]))

    @rule(actor=actors, appointment=appointments, status=st.sampled_from(["attended", "attended", "no_show",
                                                                          "late_cancel", "cancelled", "booked"]),
          minutes_=minutes, stale_=stale)
    def set_status(self, actor, appointment, status, minutes_, stale_):
        h = self._step()
        current = find(h.ensure(("appts", appointment.client_id)), appointment.id)
        body = {"status": status, **({"reason": "client asked"} if status == "cancelled" else {}),
                **({"minutes": minutes_} if minutes_ is not None else {})}
        h.act(actor, "change_appointment_status", {"appointment_id": appointment.id}, body,
              if_match=etag(current, stale_), scopes=(("appts", appointment.client_id),
                                                      *_client_scopes(appointment.client_id)))

    @rule(actor=actors, appointment=appointments, day=st.sampled_from([None, -2, 1, 6]), hour=hours, length=lengths,
          practitioner=st.sampled_from([None, *PRACTITIONERS]), code=st.sampled_from([None, "90834", UNITS_CODE]),
          following=st.booleans(), stale_=stale)
    def move(self, actor, appointment, day, hour, length, practitioner, code, following, stale_):
        h = self._step()
        current = find(h.ensure(("appts", appointment.client_id)), appointment.id)
        body = {k: v for k, v in {"practitioner_id": practitioner, "billing_code": code}.items() if v}
        if day is not None:
            body["start"], body["end"] = _slot(day, hour, length)
        body = {**(body or {"notes": "moved"}), **({"scope": "following"} if following else {})}
        h.act(actor, "update_appointment", {"appointment_id": appointment.id}, body,
              if_match=etag(current, stale_),
              scopes=(("appts", appointment.client_id), ("packs", appointment.client_id),
                      ("auths", appointment.client_id)))

    # ---- groups ----

    @precondition(lambda self: self.count["groups"] < 2)
    @rule(actor=home_actors, practitioner=st.sampled_from(PRACTITIONERS),
          shared=st.sets(st.sampled_from(PRACTITIONERS), max_size=1))
    def create_group(self, actor, practitioner, shared):
        self._step()
        body = {"name": "Tuesday group", "initials": "TG", "shared_with": sorted(shared - {practitioner}),
                **({"practitioner_id": practitioner} if actor.role != "practitioner" else {})}
        reply = self.h.act(actor, "create_group", body=body)
        if not reply:
            return
        self.count["groups"] += 1
        self.h.ensure(("group", reply.body["id"]))
        self._keep(Ref("group", reply.body["id"]))

    @precondition(lambda self: self.made.get("group"))
    @rule(actor=actors, group=made("group"), shared=st.sets(st.sampled_from(PRACTITIONERS), max_size=2), stale_=stale)
    def share_group(self, actor, group, shared, stale_):
        h = self._step()
        current = self._group(group.id)
        h.act(actor, "update_group", {"group_id": group.id}, {"shared_with": sorted(shared)},
              if_match=etag(current, stale_), scopes=(("group", group.id),), hidden=self._group_hidden(actor, group.id))

    @precondition(lambda self: self.made.get("group"))
    @rule(actor=actors, group=made("group"), client=clients, since_=since, from_client=st.booleans())
    def add_member(self, actor, group, client, since_, from_client):
        h = self._step()
        hidden = self._group_hidden(actor, group.id)
        scopes = self._group_session_scopes(group.id)
        joining = {"since": since_} if since_ else {}
        if from_client:
            h.act(actor, "join_group", {"client_id": client.id}, {"group_id": group.id, **joining}, scopes=scopes)
        else:
            h.act(actor, "add_group_member", {"group_id": group.id}, {"client_id": client.id, **joining},
                  scopes=scopes, hidden=hidden)

    @precondition(lambda self: self.made.get("group"))
    @rule(actor=actors, group=made("group"), client=clients, from_client=st.booleans())
    def remove_member(self, actor, group, client, from_client):
        h = self._step()
        hidden = self._group_hidden(actor, group.id)
        scopes = self._group_session_scopes(group.id)
        if from_client:
            h.act(actor, "leave_group", {"client_id": client.id, "group_id": group.id}, scopes=scopes, hidden=hidden)
        else:
            h.act(actor, "remove_group_member", {"group_id": group.id, "client_id": client.id}, scopes=scopes,
                  hidden=hidden)

    @precondition(lambda self: self.made.get("group"))
    @precondition(lambda self: self.made.get("group"))
    @rule(actor=actors, group=made("group"), day=days, hour=hours, length=lengths,
          room=st.booleans(), recurrence=recurrences)
    def book_group_session(self, actor, group, day, hour, length, room, recurrence):
        h = self._step()
        start, end = _slot(day, hour, length)
        body = {"location_id": LOCATION, "start": start, "end": end, **({"room_id": ROOM} if room else {}),
                **({"recurrence": recurrence} if recurrence else {})}
        reply = h.act(actor, "book_group_appointment", {"group_id": group.id}, body, scopes=(("group", group.id),),
                      hidden=self._group_hidden(actor, group.id))
        if reply:
            self._keep(*(Ref("group_session", a["id"], group_id=group.id) for a in reply.body["appointments"]))

    def _group_session(self, session: Ref) -> dict | None:
        return find((self.h.ensure(("group", session.group_id)) or {}).get("sessions"), session.id)

    def _attendance_scopes(self, session: Ref) -> tuple:
        scopes = (("group", session.group_id), ("attendance", session.id))
        for client_id in self._members(session.group_id, active_only=False):
            scopes += _client_scopes(client_id)
        return scopes

    @precondition(lambda self: self.made.get("group_session"))
    @rule(actor=actors, session=made("group_session"), all_attended=st.booleans(),
          marks=st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["attended", "no_show", "late_cancel", "absent",
                                                                       "unmarked"]),
                                   st.sampled_from(["default", "none", "code", "custom"])), max_size=3))
    def mark_attendance(self, actor, session, all_attended, marks):
        h = self._step()
        members = self._members(session.group_id, active_only=False)
        chosen: dict[str, dict] = {}
        for index, status, fee in marks:
            client_id = pick(members, index) or "cli_notamember"
            mark = {"client_id": client_id, "status": status}
            if status == "attended":
                mark["fee"] = fee
                if fee == "code":
                    mark["billing_code"] = "90837"
                if fee == "custom":
                    mark["custom_code"] = {"code": "90899", "description": "Other", "fee": "75.00"}
            chosen[client_id] = mark
        body = {"all_attended": all_attended or not chosen, "members": list(chosen.values())}
        h.act(actor, "mark_group_attendance", {"appointment_id": session.id}, body,
              scopes=self._attendance_scopes(session), hidden=self._group_hidden(actor, session.group_id))

    @precondition(lambda self: self.made.get("group_session"))
    @rule(actor=actors, session=made("group_session"), cancel=st.booleans(), stale_=stale)
    def group_session_status(self, actor, session, cancel, stale_):
        h = self._step()
        body = {"status": "cancelled", "reason": "room flooded"} if cancel else {"status": "attended"}
        h.act(actor, "change_appointment_status", {"appointment_id": session.id}, body,
              if_match=etag(self._group_session(session), stale_), scopes=self._attendance_scopes(session),
              hidden=self._group_hidden(actor, session.group_id))

    @precondition(lambda self: self.made.get("group_session"))
    @rule(actor=actors, session=made("group_session"), day=st.sampled_from([None, -1, 3]), hour=hours, length=lengths,
          practitioner=st.sampled_from([None, *PRACTITIONERS]), following=st.booleans(), stale_=stale)
    def move_group_session(self, actor, session, day, hour, length, practitioner, following, stale_):
        h = self._step()
        body = {**({"practitioner_id": practitioner} if practitioner else {}),
                **({"scope": "following"} if following else {})}
        if day is not None:
            body["start"], body["end"] = _slot(day, hour, length)
        body = body if set(body) - {"scope"} else {**body, "notes": "moved"}
        h.act(actor, "update_appointment", {"appointment_id": session.id}, body,
              if_match=etag(self._group_session(session), stale_), scopes=self._group_session_scopes(session.group_id),
              hidden=self._group_hidden(actor, session.group_id))

    # ---- notes ----

    @rule(target=notes, actor=actors, client=clients, author=st.sampled_from(PRACTITIONERS))
    def write_progress_note(self, actor, client, author):
        body = {"client_id": client.id, "body": "<p>Worked on <b>breathing</b><script>x()</script></p>",
                **({"practitioner_id": author} if actor.role == "admin" else {})}
        reply = self._step().act(actor, "create_note", body=body, scopes=(("client_notes", client.id),))
        if not reply:
            return multiple()
        self.note_info[reply.body["id"]] = reply.body
        return self._keep(Ref("note", reply.body["id"], client_id=client.id))

    @precondition(lambda self: self.made.get("group_session"))
    @rule(target=notes, actor=actors, session=made("group_session"))
    def write_group_note(self, actor, session):
        h = self._step()
        members = self._members(session.group_id, active_only=False)
        body = {"type": "group", "appointment_id": session.id, "body": "<p>Shared part</p>",
                "member_parts": dict.fromkeys(members[:1], "<p>own part</p>")}
        if actor.role == "admin":
            body["practitioner_id"] = (self._group(session.group_id) or {}).get("practitioner_id")
        scopes = (("group_notes", session.group_id), *(("client_notes", c) for c in members))
        hidden = self._group_hidden(actor, session.group_id)
        reply = h.act(actor, "create_note", body=body, scopes=scopes, hidden=hidden)
        if not reply:
            return multiple()
        self.note_info[reply.body["id"]] = reply.body
        return self._keep(Ref("note", reply.body["id"], group_id=session.group_id))

    def _note(self, note: Ref) -> dict | None:
        for scope in self._note_scopes(note.id)[:1]:
            return find(self.h.ensure(scope), note.id)
        return None

    @rule(actor=actors, note=notes, stale_=stale)
    def edit_note(self, actor, note, stale_):
        self._step().act(actor, "update_note", {"note_id": note.id}, {"body": "<p>Rewritten</p>"},
                         if_match=etag(self._note(note), stale_), scopes=self._note_scopes(note.id),
                         hidden=self._note_hidden(actor, note.id))

    @rule(actor=actors, note=notes, stale_=stale)
    def sign_note(self, actor, note, stale_):
        self._step().act(actor, "sign_note", {"note_id": note.id}, if_match=etag(self._note(note), stale_),
                         scopes=self._note_scopes(note.id), hidden=self._note_hidden(actor, note.id))

    @rule(actor=actors, note=notes)
    def add_addendum(self, actor, note):
        self._step().act(actor, "add_note_addendum", {"note_id": note.id}, {"text": "Late entry"},
                         scopes=self._note_scopes(note.id), hidden=self._note_hidden(actor, note.id))

    @rule(actor=actors, note=notes, stale_=stale)
    def delete_note(self, actor, note, stale_):
        self._step().act(actor, "delete_note", {"note_id": note.id}, if_match=etag(self._note(note), stale_),
                         scopes=self._note_scopes(note.id), hidden=self._note_hidden(actor, note.id))

    # ---- reading: who may see what ----

    @rule(actor=actors, data=st.data())
    def read_something(self, actor, data):
        """Read one thing the machine made, as anyone: 404 across practices and for what a
        practitioner may not see, 403 for a role the route does not allow."""
        h = self._step()
        made = [refs for refs in self.made.values() if refs]
        if not made:
            return
        target = data.draw(st.sampled_from(data.draw(st.sampled_from(made))))
        exists = self._exists(target)
        if target.kind == "pack":
            h.act(actor, "get_pack", {"client_id": target.client_id, "pack_id": target.id}, must_answer=exists)
        elif target.kind == "authorization":
            h.act(actor, "get_authorization", {"client_id": target.client_id, "authorization_id": target.id},
                  must_answer=exists)
        elif target.kind == "appointment":
            h.act(actor, "get_appointment", {"appointment_id": target.id}, must_answer=exists)
        elif target.kind == "session":
            h.act(actor, "get_session", {"client_id": target.client_id, "session_id": target.id}, must_answer=exists)
        elif target.kind == "invoice":
            h.act(actor, "get_invoice", {"client_id": target.client_id, "invoice_id": target.id}, must_answer=exists)
        elif target.kind == "group_session":
            hidden = self._group_hidden(actor, target.group_id)
            h.act(actor, "get_appointment", {"appointment_id": target.id}, hidden=hidden, must_answer=exists)
            h.act(actor, "get_group_attendance", {"appointment_id": target.id}, hidden=hidden, must_answer=exists)
            for practitioner in PRACTITIONERS:
                self._read_schedule(actor, practitioner)
        elif target.kind == "group":
            hidden = self._group_hidden(actor, target.id)
            h.act(actor, "get_group", {"group_id": target.id}, hidden=hidden, must_answer=True)
            h.act(actor, "list_group_members", {"group_id": target.id}, hidden=hidden, must_answer=True)
        elif target.kind == "note":
            h.act(actor, "get_note", {"note_id": target.id}, hidden=self._note_hidden(actor, target.id),
                  must_answer=exists)
        elif target.kind == "template":
            h.act(actor, "get_pack_template", {"template_id": target.id}, must_answer=True)
        elif target.kind == "client":
            h.act(actor, "get_client", {"client_id": target.id}, must_answer=True)

    def _read_schedule(self, actor: Actor, practitioner: str) -> None:
        """A practitioner's schedule shows a group session only to those who may see the group."""
        reply = self.h.act(actor, "list_appointments", query={"practitioner_id": practitioner, **WINDOW},
                           must_answer=True)
        for item in (reply.body["items"] if reply else []):
            if item.get("group_id") and self._group_hidden(actor, item["group_id"]):
                raise violation(AccessViolation, "GET /v1/appointments (schedule)", self.h._story(
                    f"{actor.name} sees group session {item['id']} of group {item['group_id']}, not theirs"))

    def _exists(self, target: Ref) -> bool:
        """Whether the last read of its scope lists it (packs, sessions and notes can be deleted)."""
        scope = {"pack": ("packs", target.client_id), "authorization": ("auths", target.client_id),
                 "appointment": ("appts", target.client_id), "session": ("sessions", target.client_id),
                 "invoice": ("invoices", target.client_id)}.get(target.kind)
        if target.kind == "group_session":
            return self._group_session(target) is not None
        if target.kind == "note":
            return self._note(target) is not None
        return find(self.h.ensure(scope), target.id) is not None if scope else True

    # ---- after every step ----

    @invariant()
    def balances_equal_ledgers_and_signed_notes_hold(self):
        # Status, access and "a refused request changed nothing" are checked as each request is
        # made (Harness.act); here, every balance the step changed against its ledger, and
        # every signed note it read against what it was when signed.
        self.h.check_pending()

    def teardown(self):
        if sys.exc_info()[0] is None:  # not while a failure is on its way out
            self.h.recheck_everything()


@pytest.fixture
def stateful_backend(monkeypatch):
    """moto with the real tables, seeded once; each example restores the seeded copy."""
    from chalice.test import Client
    from moto import mock_aws

    from app import app
    from tests.conftest import Api, reset_caches

    monkeypatch.delenv("CASELOAD_DYNAMODB_ENDPOINT", raising=False)
    monkeypatch.setenv("CASELOAD_AUTH_MODE", "local")
    monkeypatch.setenv("CASELOAD_ATTENDANCE_WORKERS", "1")  # moto is not safe under threads
    # The request log line of every call costs time and says nothing here; errors still log.
    monkeypatch.setattr(logging.getLogger("caseload"), "level", logging.WARNING)
    with mock_aws():
        baseline = build_baseline()
        with Client(app) as client:
            yield Api(client), baseline
    reset_caches()


# Roughly 0.2 s a step on a loaded 2-core machine, plus shrinking if something fails.
@pytest.mark.timeout(max(600, EXAMPLES * STEPS * 2))
def test_random_api_sequences_keep_every_invariant(stateful_backend):
    api, baseline = stateful_backend
    CaseloadMachine.api, CaseloadMachine.baseline = api, baseline
    config = settings(max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=not RANDOM,
                      database=None if not RANDOM else settings.default.database,
                      suppress_health_check=list(HealthCheck), print_blob=RANDOM,
                      # Not Phase.explain: its line tracer makes each replay many times slower on 3.11.
                      phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink])
    try:
        run_state_machine_as_test(CaseloadMachine, settings=config)
    finally:
        print(FIGURES.line())
        print(FIGURES.table())
