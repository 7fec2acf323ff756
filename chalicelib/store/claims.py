"""Claims' keys, indexes and the writes that must be atomic: a claim with its sessions' markers,
an export with its claims, a correction (replacement or void) with the claim it corrects, and
the practice's interchange control number counter. Also the reads a claim is built from: the
sessions it bills and the records they name."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.entitlements import Entitlement
from chalicelib.errors import PreconditionFailed
from chalicelib.models.claims import Claim, ClaimExport, StatusChange
from chalicelib.models.clients import Client
from chalicelib.models.codes import BillingCode
from chalicelib.models.locations import Location
from chalicelib.models.payers import Payer
from chalicelib.models.sessions import ClientSession
from chalicelib.models.users import User
from chalicelib.store import dynamo, items, retry
from chalicelib.store.appointments import StoredAppointment, appointment_of
from chalicelib.store.clients import client_of
from chalicelib.store.codes import billing_code_of
from chalicelib.store.entitlements import entitlement_of
from chalicelib.store.keys import (
    APPOINTMENT_SK,
    AUTH_SK,
    CLAIM_CONTROL_SK,
    CLAIMED,
    PK,
    SESSION,
    SESSIONS_PK,
    SK,
    appointment_pk,
    claim_status_pk,
    claims_pk,
    client_claims_pk,
    client_pk,
    entity_sk,
    practice_pk,
    practice_sessions_pk,
    usage_sk,
)
from chalicelib.store.locations import location_of
from chalicelib.store.repository import BILLING_CODES, CLAIM_EXPORTS, CLAIMS, CLIENTS, LOCATIONS, PAYERS, USERS
from chalicelib.store.sessions import session_of
from chalicelib.store.users import user_of

LIST_INDEXES = ("GSI1", "GSI2", "GSI3")
RESOURCE = "Claim"


@dataclass(frozen=True)
class StoredClaim:
    """A claim as stored: the API's view of it (`claim`), and what only the service reads: the
    client's usual practitioner (a practitioner's access) and, on a replaced or voided claim,
    the status it had before (a deleted correction gives it back)."""

    claim: Claim
    client_practitioner_id: str | None
    corrected_from: str | None


def _stored(item: dict[str, Any]) -> StoredClaim:
    return StoredClaim(claim=Claim.model_validate({**items.public(item), "payer_id": item.get("payer_ref")}),
                       client_practitioner_id=item.get("client_practitioner_id"),
                       corrected_from=item.get("corrected_from"))


def _export(item: dict[str, Any]) -> ClaimExport:
    return ClaimExport.model_validate(items.public(item))


@dataclass(frozen=True)
class Move:
    """A ready claim, still at the version read, moving to `status` in an export's transaction:
    `entry` goes into its history, `changes` are set (None: removed)."""

    claim: StoredClaim
    status: str
    entry: dict[str, Any]
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Restore:
    """What a deleted replacement or void gives back: the claim it corrected returns to
    `status`, with `entry` in its history."""

    claim: StoredClaim
    status: str
    entry: dict[str, Any]


def get_claim(practice_id: str, claim_id: str) -> StoredClaim:
    """One claim, or NotFound."""
    return _stored(CLAIMS.get(practice_id, claim_id))


def stale(claim: StoredClaim, expected_version: int) -> PreconditionFailed:
    """The 412 for a write sent with an If-Match other than the claim's version as read."""
    return items.stale(RESOURCE, claim.claim.id, claim.claim.version, expected_version)


def index_keys(practice_id: str, claim: Mapping[str, Any]) -> dict[str, str]:
    """The three list indexes a claim is in: by status, the practice's and the client's, each by date."""
    sort = f"{claim['date_of_service']}#{claim['id']}"
    return {"GSI1PK": claim_status_pk(practice_id, claim["status"]), "GSI1SK": sort,
            "GSI2PK": claims_pk(practice_id), "GSI2SK": sort,
            "GSI3PK": client_claims_pk(practice_id, claim["client_id"]), "GSI3SK": sort}


def marker_key(practice_id: str, client_id: str, session_id: str) -> tuple[str, str]:
    """The item saying which live claim a session is on (one at a time, by its key)."""
    return client_pk(practice_id, client_id), CLAIMED + session_id


def markers(practice_id: str, client_id: str, session_ids: list[str]) -> dict[str, str]:
    """session id -> the claim it is on, for those already on one (one BatchGetItem)."""
    found = items.get_many([marker_key(practice_id, client_id, s) for s in session_ids])
    return {s: m["claim_id"] for s, m in zip(session_ids, found, strict=True) if m}


def claim_on(practice_id: str, client_id: str, session_id: str) -> Claim | None:
    """The live claim a session is on, or None (one GetItem; a second when it is on one)."""
    marker = items.get(*marker_key(practice_id, client_id, session_id))
    return get_claim(practice_id, marker["claim_id"]).claim if marker else None


def create_claim(practice_id: str, claim: Mapping[str, Any]) -> StoredClaim | str:
    """Put a new claim (its fields, `payer_ref` and `client_practitioner_id` among them) and one
    marker per session in one transaction. Returns the claim, or the id of the claim that took
    one of its sessions first (nothing written then)."""
    item = items.new_item({**CLAIMS.item(practice_id, claim["id"], dict(claim)), **index_keys(practice_id, claim)})
    marks = [items.put_action({PK: pk, SK: sk, "kind": "CLAIMED", "claim_id": claim["id"],
                               "session_id": session_id})
             for session_id in claim["session_ids"]
             for pk, sk in [marker_key(practice_id, claim["client_id"], session_id)]]
    try:
        items.transact([items.put_action(item), *marks])
    except items.TransactionCancelled as err:
        taken = [found for i in err.failed() if i > 0 and (found := err.items[i])]
        if taken:
            return str(taken[0].get("claim_id"))
        raise
    return _stored(item)


def delete_claim(practice_id: str, stored: StoredClaim, *, expected_version: int,
                 restore: Restore | None = None) -> None:
    """Delete an unsent claim at the version read and free its sessions, in one transaction. A
    replacement or void (`restore`: the claim it corrected, its prior status and the history
    entry) gives its sessions back to that claim, which returns to its prior status."""
    claim = stored.claim
    pk, sk = CLAIMS.key(practice_id, claim.id)
    delete = items.delete_action(pk, sk, expected_version=expected_version)
    delete["Delete"]["ConditionExpression"] += " AND #status IN (:draft, :ready)"
    delete["Delete"]["ExpressionAttributeNames"]["#status"] = "status"
    delete["Delete"]["ExpressionAttributeValues"].update(dynamo.to_item({":draft": "draft", ":ready": "ready"}))
    if restore is None:
        frees = [{"Delete": {"TableName": items.table(),
                             "Key": items.key_of(*marker_key(practice_id, claim.client_id, s))}}
                 for s in claim.session_ids]
    else:
        frees = [_status_action(practice_id, restore.claim, restore.status, restore.entry, ("replaced", "voided"),
                                replaced_by=None),
                 *_marker_moves(practice_id, claim, to_claim=restore.claim.claim.id)]
    items.transact_entity([delete, *frees], expected_version=expected_version, resource=RESOURCE,
                          resource_id=claim.id)


def correct_claim(practice_id: str, original: StoredClaim, correction: Mapping[str, Any], *, status: str,
                  entry: dict[str, Any]) -> StoredClaim:
    """In one transaction: the paid, accepted or denied `original` (at the version read) becomes
    `status` (replaced or voided) naming its correction, the correction claim is created, and
    each session's marker moves from the original to the correction, so a session stays on one
    live claim. Refusals come back as for any write at a version (412, 404, 409). Answers the
    original as it now is."""
    before = original.claim
    item = items.new_item({**CLAIMS.item(practice_id, correction["id"], dict(correction)),
                           **index_keys(practice_id, correction)})
    update = _status_action(practice_id, original, status, entry, ("paid", "accepted", "denied"),
                            replaced_by=correction["id"], corrected_from=before.status)
    items.transact_entity([update, items.put_action(item),
                           *_marker_moves(practice_id, before, to_claim=correction["id"])],
                          expected_version=before.version, resource=RESOURCE, resource_id=before.id)
    after = before.model_copy(update={"status": status, "history": [*before.history, StatusChange(**entry)],
                                      "replaced_by": correction["id"], "version": before.version + 1,
                                      "updated_at": entry["at"]})
    return StoredClaim(claim=after, client_practitioner_id=original.client_practitioner_id,
                       corrected_from=before.status)


def _marker_moves(practice_id: str, claim: Claim, *, to_claim: str) -> list[dict[str, Any]]:
    """Each of `claim`'s session markers, still naming it, now names `to_claim`."""
    return [{"Put": {"TableName": items.table(),
                     "Item": dynamo.to_item({PK: pk, SK: sk, "kind": "CLAIMED", "claim_id": to_claim,
                                             "session_id": session_id}),
                     "ConditionExpression": "claim_id = :from",
                     "ExpressionAttributeValues": dynamo.to_item({":from": claim.id})}}
            for session_id in claim.session_ids
            for pk, sk in [marker_key(practice_id, claim.client_id, session_id)]]


def save_export(practice_id: str, export: Mapping[str, Any], moves: list[Move]) -> ClaimExport | None:
    """Store an export (its fields) with its claims' moves (submit_move, draft_move,
    refresh_ready_move) in one transaction. None, with nothing written, when another export or
    a check moved one of those claims first."""
    item = items.new_item(CLAIM_EXPORTS.item(practice_id, export["id"], dict(export)))
    try:
        items.transact([items.put_action(item), *(_move_action(practice_id, m) for m in moves)])
    except items.TransactionCancelled:
        return None
    return _export(item)


def get_export(practice_id: str, export_id: str) -> ClaimExport:
    """One export with its file, or NotFound."""
    return _export(CLAIM_EXPORTS.get(practice_id, export_id))


def exports_page(practice_id: str, *, payer_id: str | None, limit: int,
                 start_key: dict[str, Any] | None) -> tuple[list[ClaimExport], dict[str, Any] | None]:
    """One page of the practice's exports, newest first (ids are time-ordered), of one payer
    when `payer_id` is given. The items carry their files, so a page stops at DynamoDB's 1 MB."""
    where: dict[str, Any] = {}
    if payer_id:
        where = {"filter": "#payer = :payer", "filter_names": {"#payer": "payer_id"},
                 "filter_values": {":payer": payer_id}}
    page = items.query_page(practice_pk(practice_id), entity_sk(CLAIM_EXPORTS.kind), limit=limit,
                            start_key=start_key, forward=False, **where)
    return [_export(i) for i in page.items], page.last_key


def leave_out(practice_id: str, moves: list[Move]) -> bool:
    """An export that takes no claim still writes the moves of those it left out (draft_move,
    refresh_ready_move), so the next export does not pick them up again. False, with nothing
    written, when another export or a check moved one of them first."""
    try:
        items.transact([_move_action(practice_id, m) for m in moves])
    except items.TransactionCancelled:
        return False
    return True


def _dated(claim_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """`changes` to a claim, with its list indexes' sort keys when they give a date of service."""
    if not changes.get("date_of_service"):
        return changes
    sort = f"{changes['date_of_service']}#{claim_id}"
    return {**changes, "GSI1SK": sort, "GSI2SK": sort, "GSI3SK": sort}


def save_claim(practice_id: str, claim_id: str, changes: Mapping[str, Any], *, expected_version: int,
               status: str | None = None) -> StoredClaim:
    """Update a claim at the version read; a new status moves it to that status's list, a new
    date of service moves it within each list."""
    extra = {"GSI1PK": claim_status_pk(practice_id, status), "status": status} if status else {}
    return _stored(CLAIMS.update(practice_id, claim_id, _dated(claim_id, {**changes, **extra}),
                                 expected_version=expected_version))


def submit_move(claim: StoredClaim, *, export_id: str, header: Mapping[str, Any], entry: dict[str, Any]) -> Move:
    """In an export's transaction: a ready claim at the version read becomes submitted, with its
    header (payer, practitioners, date of service) and lines as the export read the records and
    wrote them into the file."""
    return Move(claim, "submitted", entry, {"export_id": export_id, **header})


def draft_move(claim: StoredClaim, *, problems: list[dict[str, Any]], header: Mapping[str, Any],
               entry: dict[str, Any]) -> Move:
    """In an export's transaction: a ready claim whose records changed since its check goes back
    to draft with its new problems and header, so the next export does not pick it up again."""
    return Move(claim, "draft", entry, {"problems": problems, **header})


def refresh_ready_move(claim: StoredClaim, *, header: Mapping[str, Any], entry: dict[str, Any]) -> Move:
    """In an export's transaction: a ready claim now for another payer stays ready, filed under
    that payer (its new header), with `entry` in its history."""
    return Move(claim, "ready", entry, dict(header))


def _move_action(practice_id: str, move: Move) -> dict[str, Any]:
    """A ready claim, still at the version read, moves to the move's status."""
    return _status_action(practice_id, move.claim, move.status, move.entry, ("ready",), **move.changes)


def _status_action(practice_id: str, stored: StoredClaim, status: str, entry: dict[str, Any],
                   allowed: tuple[str, ...], **changes: Any) -> dict[str, Any]:
    """A claim, still at the version read and in one of the `allowed` statuses, moves to
    `status` (its status index with it), records `entry` in its history and sets `changes`
    (None removes the attribute)."""
    claim = stored.claim
    pk, sk = CLAIMS.key(practice_id, claim.id)
    changes = _dated(claim.id, changes)
    values = {":status": status, ":gsi": claim_status_pk(practice_id, status),
              ":entry": [entry], ":expected": claim.version, ":one": 1, ":now": entry["at"],
              **{f":from{i}": value for i, value in enumerate(allowed)},
              **{f":{name}": value for name, value in changes.items() if value is not None}}
    # Names as placeholders: a claim's attributes include words DynamoDB reserves (lines).
    names = {f"#{name}": name for name in changes}
    sets = "".join(f", #{name} = :{name}" for name, value in changes.items() if value is not None)
    removes = [f"#{name}" for name, value in changes.items() if value is None]
    return {"Update": {
        "TableName": items.table(), "Key": items.key_of(pk, sk),
        "UpdateExpression": f"SET #status = :status, GSI1PK = :gsi{sets}, "
                            "history = list_append(history, :entry), #version = #version + :one, updated_at = :now"
                            + (" REMOVE " + ", ".join(removes) if removes else ""),
        "ConditionExpression": "#version = :expected AND #status IN ("
                               + ", ".join(f":from{i}" for i in range(len(allowed))) + ")",
        "ExpressionAttributeNames": {"#status": "status", "#version": "version", **names},
        "ExpressionAttributeValues": dynamo.to_item(values),
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}


def next_control_number(practice_id: str) -> int:
    """The practice's next interchange control number: one atomic ADD, so two exports never get
    the same number. A number taken by an export that then fails is skipped, never reused."""
    response = retry.call(lambda: dynamo.client().update_item(
        TableName=items.table(), Key=items.key_of(practice_pk(practice_id), CLAIM_CONTROL_SK),
        UpdateExpression="ADD #n :one", ExpressionAttributeNames={"#n": "number"},
        ExpressionAttributeValues=dynamo.to_item({":one": 1}), ReturnValues="UPDATED_NEW"),
        what="take a control number")
    return int(dynamo.from_item(response["Attributes"])["number"])


def ready_claims(practice_id: str, payer_ref: str, *, limit: int) -> list[StoredClaim]:
    """The payer's ready claims, oldest date of service first, at most `limit`."""
    found: list[StoredClaim] = []
    for item in items.every_item(claim_status_pk(practice_id, "ready"), index="GSI1"):
        if item.get("payer_ref") == payer_ref:
            found.append(_stored(item))
            if len(found) >= limit:
                break
    return found


def list_page(practice_id: str, *, status: str | None, client_id: str | None, between: tuple[str, str],
              filters: dict[str, Any], limit: int,
              start_key: dict[str, Any] | None) -> tuple[list[Claim], dict[str, Any] | None]:
    """One page of claims from the narrowest index; the other filters apply within it."""
    if client_id:
        index, pk = "GSI3", client_claims_pk(practice_id, client_id)
        if status:
            filters = {**filters, "status": status}
    elif status:
        index, pk = "GSI1", claim_status_pk(practice_id, status)
    else:
        index, pk = "GSI2", claims_pk(practice_id)
    conditions, names, values = [], {}, {}
    for i, (name, value) in enumerate(filters.items()):
        if isinstance(value, tuple):  # any of several attributes equal to one value
            conditions.append("(" + " OR ".join(f"#f{i}_{j} = :v{i}" for j in range(len(value) - 1)) + ")")
            names.update({f"#f{i}_{j}": attr for j, attr in enumerate(value[:-1])})
            values[f":v{i}"] = value[-1]
        else:
            conditions.append(f"#f{i} = :v{i}")
            names[f"#f{i}"] = name
            values[f":v{i}"] = value
    page = items.query_page(pk, limit=limit, start_key=start_key, index=index, between=between,
                            filter=" AND ".join(conditions) or None, filter_values=values or None,
                            filter_names=names or None)
    return [_stored(i).claim for i in page.items], page.last_key


# ---- what a claim is built from --------------------------------------------------------------

def session_key(practice_id: str, client_id: str, session_id: str) -> tuple[str, str]:
    return client_pk(practice_id, client_id), SESSION + session_id


def client_sessions(practice_id: str, client_id: str, session_ids: list[str]) -> list[ClientSession | None]:
    """One client's sessions by id, None where there is none (one BatchGetItem per 100)."""
    return [None if s is None else session_of(s)
            for s in items.get_many([session_key(practice_id, client_id, s) for s in session_ids])]


def claim_sessions(practice_id: str, claim: Claim) -> list[ClientSession]:
    """The sessions a claim bills, as they are now (a deleted one is left out)."""
    return [s for s in client_sessions(practice_id, claim.client_id, claim.session_ids) if s]


def _index_keys(index: str, condition: str, values: dict[str, Any], names: dict[str, str],
                where: str | None = None) -> list[tuple[str, str]]:
    """The table keys a keys-only index Query finds (`where`: a filter on them), one Query per
    page (up to 1 MB of keys)."""
    params: dict[str, Any] = {"TableName": items.table(), "IndexName": index, "KeyConditionExpression": condition,
                              "ExpressionAttributeNames": names, "ExpressionAttributeValues": dynamo.to_item(values)}
    if where:
        params["FilterExpression"] = where
    keys: list[tuple[str, str]] = []
    while True:
        response = _query(params, index)
        keys += [(i[PK]["S"], i[SK]["S"]) for i in response.get("Items", [])]
        if not response.get("LastEvaluatedKey"):
            return keys
        params = {**params, "ExclusiveStartKey": response["LastEvaluatedKey"]}


def _query(params: dict[str, Any], index: str) -> dict[str, Any]:
    response: dict[str, Any] = retry.call(lambda: dynamo.client().query(**params), what=f"query {index}")
    return response


def practice_sessions(practice_id: str, session_ids: list[str]) -> list[ClientSession | None]:
    """Sessions of any client of the practice by id, None where there is none. One Query on the
    SESSIONID index per id (0.5 read unit each, keys only: the index cannot be batch-read), then
    one BatchGetItem per 100 found for the sessions themselves."""
    where: dict[str, tuple[str, str]] = {}
    for session_id in dict.fromkeys(session_ids):
        found = _index_keys("SESSIONID", "#pk = :pk AND #sk = :sk",
                            {":pk": practice_sessions_pk(practice_id), ":sk": SESSION + session_id},
                            {"#pk": SESSIONS_PK, "#sk": SK})
        if found:
            where[session_id] = found[0]
    keys = list(where.values())
    by_key = {k: session_of(item) for k, item in zip(keys, items.get_many(keys), strict=True) if item}
    return [by_key.get(where[s]) if s in where else None for s in session_ids]


def sessions_between(practice_id: str, low: str, high: str, client_id: str | None = None) -> list[ClientSession]:
    """Every session of the practice (or of one client) dated low..high (inclusive). Cost: one
    Query per page of the SESSIONDATE index (keys only, about 100 bytes a session, so 0.5 read
    unit per ~40 sessions in range, whatever the number of clients or of sessions outside the
    range), then one BatchGetItem per 100 sessions found (1 read unit each, strongly consistent,
    which also drops an index entry not yet updated after a date change)."""
    names = {"#pk": SESSIONS_PK, "#date": "date_of_service"}
    values: dict[str, Any] = {":pk": practice_sessions_pk(practice_id), ":low": low, ":high": high}
    where = None
    if client_id:
        names["#part"], values[":part"], where = PK, client_pk(practice_id, client_id), "#part = :part"
    keys = _index_keys("SESSIONDATE", "#pk = :pk AND #date BETWEEN :low AND :high", values, names, where)
    return [session_of(s) for s in items.get_many(keys) if s and low <= s["date_of_service"] <= high]


@dataclass(frozen=True)
class Records:
    """The records the claims of some sessions are built from, typed."""

    clients: dict[str, Client]
    codes: dict[str, BillingCode]  # by code
    payers: dict[str, Payer]
    locations: dict[str, Location]
    appointments: dict[str, StoredAppointment]
    authorizations: dict[str, Entitlement]  # session id -> the authorization it counts against


def records(practice_id: str, sessions: list[ClientSession]) -> Records:
    """Clients, billing codes, payers, locations, appointments and the authorizations the
    sessions count against: three BatchGetItem rounds (clients; the rest; authorizations)."""
    pid = practice_id
    client_ids = sorted({s.client_id for s in sessions})
    clients = {c.id: c for c in (client_of(i) for i in items.get_many([CLIENTS.key(pid, c) for c in client_ids])
                                 if i)}
    code_names = sorted({c for s in sessions for c in [s.billing_code, *s.add_on_codes]})
    payer_refs = sorted({c.primary_insurance.payer_id for c in clients.values()
                         if c.primary_insurance and c.primary_insurance.payer_id})
    location_ids = sorted({s.location_id for s in sessions if s.location_id})
    appointment_ids = sorted({s.appointment_id for s in sessions if s.appointment_id})
    groups = [[BILLING_CODES.key(pid, c) for c in code_names], [PAYERS.key(pid, p) for p in payer_refs],
              [LOCATIONS.key(pid, loc) for loc in location_ids],
              [(appointment_pk(pid, a), APPOINTMENT_SK) for a in appointment_ids],
              [(client_pk(pid, s.client_id), usage_sk(s.id, "AUTH")) for s in sessions]]
    found = iter(items.get_many([key for group in groups for key in group]))
    codes, payers, locations, appointments, usages = ([next(found) for _ in group] for group in groups)
    live = [(s, u) for s, u in zip(sessions, usages, strict=True) if u and u.get("state", "active") == "active"]
    auth_items = items.get_many([(client_pk(pid, s.client_id), AUTH_SK + u["entitlement_id"]) for s, u in live])
    return Records(
        clients=clients, codes={c["code"]: billing_code_of(c) for c in codes if c},
        payers={p["id"]: Payer.model_validate(items.public(p)) for p in payers if p},
        locations={loc["id"]: location_of(loc) for loc in locations if loc},
        appointments={a["id"]: appointment_of(a) for a in appointments if a},
        authorizations={s.id: entitlement_of(a) for (s, _), a in zip(live, auth_items, strict=True) if a})


def users(practice_id: str, user_ids: list[str]) -> dict[str, User]:
    """The practice's users by id (one BatchGetItem)."""
    return {u["id"]: user_of(u) for u in items.get_many([USERS.key(practice_id, u) for u in user_ids]) if u}
