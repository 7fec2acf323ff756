"""A rule between fields names the field to correct (`body.end_on`, `query.to`), not the
container (`body`, `query`): one mechanism, `FieldError`, raised by every model validator."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from chalicelib.http import field_errors

MODELS = Path(__file__).resolve().parents[2] / "chalicelib" / "models"

GROUP_TIMES = {"location_id": "loc", "start": "2026-12-01T11:00:00", "end": "2026-12-01T10:00:00"}

# (model, data, location, the one field expected): one row per rule of a model validator.
CASES = [
    ("entitlements:AuthorizationCreate", {"payer": "X", "begin_on": "2026-02-01", "end_on": "2026-01-01",
                                          "allowed": "5"}, "body", "body.end_on"),
    ("entitlements:AuthorizationCreate", {"payer": "X", "begin_on": "2026-01-01", "end_on": "2026-02-01",
                                          "allowed": "2.5"}, "body", "body.allowed"),
    ("entitlements:CodeRuleIn", {"mode": "only", "codes": []}, "body", "body.codes"),
    ("entitlements:PackTemplateCreate", {"name": "T", "measure": "sessions", "quantity": "2.5", "price": "1"},
     "body", "body.quantity"),
    ("entitlements:PackCreate", {"name": "P", "measure": "sessions", "price": "1"}, "body", "body.limit"),
    ("entitlements:PackCreate", {"name": "P", "measure": "sessions", "limit": "5", "price": "1",
                                 "auto_renew": True}, "body", "body.auto_renew"),
    ("reports:PackSalesQuery", {"from": "2026-02-01", "to": "2026-01-01"}, "query", "query.to"),
    ("reports:PackSalesQuery", {"from": "2024-01-01", "to": "2026-01-01"}, "query", "query.to"),
    ("appointments:Recurrence", {"frequency": "weekly"}, "body", "body.count"),
    ("appointments:ScheduleQuery", {"from": "2026-02-01", "to": "2026-01-01"}, "query", "query.to"),
    ("appointments:AppointmentQuery", {"from": "2026-01-01", "to": "2026-01-02"}, "query", "query.practitioner_id"),
    ("appointments:AppointmentUpdate", {"start": "2026-12-01T10:00:00"}, "body", "body.end"),
    ("appointments:StatusChange", {"status": "cancelled"}, "body", "body.reason"),
    ("groups:GroupAppointmentCreate", GROUP_TIMES, "body", "body.end"),
    ("groups:Joining", {"since": "2999-01-01T00:00:00+00:00"}, "body", "body.since"),
    ("groups:MemberMark", {"client_id": "c", "status": "attended", "fee": "code"}, "body", "body.billing_code"),
    ("groups:MemberMark", {"client_id": "c", "status": "attended", "fee": "custom"}, "body", "body.custom_code"),
    ("groups:MemberMark", {"client_id": "c", "status": "no_show", "fee": "code", "billing_code": "90837"},
     "body", "body.fee"),
    ("groups:AttendanceUpdate", {}, "body", "body.members"),
    ("groups:AttendanceUpdate", {"members": [{"client_id": "c", "status": "absent"},
                                             {"client_id": "c", "status": "absent"}]}, "body", "body.members"),
    ("invoices:InvoiceCreate", {}, "body", "body.session_id"),
    ("invoices:InvoiceCreate", {"session_id": "s", "pack_id": "p"}, "body", "body.pack_id"),
    ("invoices:PaymentCreate", {"amount": "0", "method": "cash"}, "body", "body.amount"),
    ("notes:TemplateField", {"key": "a", "label": "A", "type": "choice"}, "body", "body.options"),
    ("notes:NoteTemplateCreate", {"name": "T", "fields": [{"key": "a", "label": "A", "type": "text"},
                                                          {"key": "a", "label": "B", "type": "text"}]},
     "body", "body.fields"),
    ("notes:NoteCreate", {"type": "progress"}, "body", "body.client_id"),
    ("notes:NoteCreate", {"type": "group", "client_id": "c"}, "body", "body.appointment_id"),
    ("notes:NoteQuery", {}, "query", "query.client_id"),
    ("clients:ClientCreate", {"first_name": "A", "last_name": "B",
                              "secondary_insurance": {"payer": "P", "member_id": "M"}}, "body",
     "body.primary_insurance"),
    ("clients:DefaultService", {}, "body", "body.billing_code"),
    ("sessions:SessionCreate", {"date_of_service": "2026-11-20", "billing_code": "90837",
                                "resubmission_code": "7"}, "body", "body.original_claim_reference"),
]


def _model(ref: str) -> type[BaseModel]:
    module, name = ref.split(":")
    return getattr(__import__(f"chalicelib.models.{module}", fromlist=[name]), name)


@pytest.mark.parametrize("ref, data, location, field", CASES, ids=[f"{c[0]}->{c[3]}" for c in CASES])
def test_rule_between_fields_names_the_field(ref, data, location, field):
    with pytest.raises(ValidationError) as err:
        _model(ref).model_validate(data)
    assert [e["field"] for e in field_errors(err.value, location)] == [field]


def test_rule_of_a_nested_model_names_the_nested_field():
    from chalicelib.models.entitlements import PackCreate

    with pytest.raises(ValidationError) as err:
        PackCreate.model_validate({"name": "P", "measure": "sessions", "limit": "5", "price": "1",
                                   "codes": {"mode": "only", "codes": []}})
    assert [e["field"] for e in field_errors(err.value, "body")] == ["body.codes.codes"]


def _raises_plain_value_error_outside_field_validators(path: Path) -> list[str]:
    """Functions in a models module that raise a bare ValueError, other than field validators
    (whose error pydantic already reports at the field)."""
    tree = ast.parse(path.read_text())
    # Functions named in AfterValidator(...) / BeforeValidator(...) check one field's value.
    of_one_field = {ast.unparse(arg) for node in ast.walk(tree) if isinstance(node, ast.Call)
                    and ast.unparse(node.func) in ("AfterValidator", "BeforeValidator") for arg in node.args}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef) or node.name in of_one_field:
            continue
        decorators = {ast.unparse(d).split("(")[0] for d in node.decorator_list}
        if "field_validator" in decorators:
            continue
        for inner in ast.walk(node):
            if (isinstance(inner, ast.Raise) and isinstance(inner.exc, ast.Call)
                    and ast.unparse(inner.exc.func) == "ValueError"):
                found.append(f"{path.name}:{node.name}:{inner.lineno}")
    return found


def test_every_model_validator_names_a_field():
    offenders = [hit for path in sorted(MODELS.glob("*.py")) for hit in
                 _raises_plain_value_error_outside_field_validators(path)]
    assert offenders == []


def test_authorization_ending_before_it_begins_names_end_on(api):
    client = api.post("/v1/clients", {"first_name": "A", "last_name": "B"}).body
    reply = api.post(f"/v1/clients/{client['id']}/authorizations", {
        "payer": "X", "begin_on": "2026-02-01", "end_on": "2026-01-01", "allowed": "5"})
    assert reply.status == 422
    assert reply.body["errors"] == [{"field": "body.end_on", "reason": "end_on is before begin_on"}]


def test_report_range_ending_before_it_starts_names_to(api):
    reply = api.get("/v1/reports/pack-sales?from=2026-02-01&to=2026-01-01")
    assert reply.status == 422
    assert [e["field"] for e in reply.body["errors"]] == ["query.to"]
