"""/v1/users: staff users, roles and notification preferences."""
from __future__ import annotations

from tests.conftest import PRACTICE_A, USERS

NEW = {"email": "new.therapist@a.example", "first_name": "New", "last_name": "Therapist", "role": "practitioner"}


def test_admin_creates_user_with_default_preferences(api):
    reply = api.post("/v1/users", NEW)
    assert reply.status == 201
    assert reply.body["role"] == "practitioner" and reply.body["active"] is True
    assert all(reply.body["notification_preferences"].values())
    assert api.get(reply.headers["location"], role="front_desk").body == reply.body


def test_duplicate_email_is_409_case_insensitively(api):
    assert api.post("/v1/users", NEW).status == 201
    reply = api.post("/v1/users", {**NEW, "email": "NEW.therapist@a.example"})
    assert reply.status == 409 and reply.body["field"] == "body.email"


def test_invalid_role_and_email_are_422(api):
    reply = api.post("/v1/users", {**NEW, "role": "owner", "email": "nope"})
    assert reply.status == 422
    assert {e["field"] for e in reply.body["errors"]} == {"body.role", "body.email"}


def test_changing_email_frees_the_old_one(api):
    created = api.post("/v1/users", NEW)
    moved = api.patch(created.headers["location"], {"email": "renamed@a.example"}, if_match=created.etag)
    assert moved.status == 200 and moved.body["email"] == "renamed@a.example"
    assert api.post("/v1/users", NEW).status == 201  # old email reusable
    taken = api.patch(created.headers["location"], {"email": NEW["email"]}, if_match=moved.etag)
    assert taken.status == 409


def test_user_sets_own_notification_preferences(api):
    me = api.get("/v1/users/me", role="practitioner")
    assert me.body["id"] == USERS[PRACTICE_A]["practitioner"]
    reply = api.patch("/v1/users/me", {"notification_preferences": {"daily_digest": False, "pack_expiring": False}},
                      role="practitioner", if_match=me.etag)
    assert reply.status == 200
    prefs = reply.body["notification_preferences"]
    assert prefs["daily_digest"] is False and prefs["pack_expiring"] is False and prefs["pack_expired"] is True


def test_user_cannot_change_own_role_through_me(api):
    me = api.get("/v1/users/me", role="practitioner")
    reply = api.patch("/v1/users/me", {"role": "admin"}, role="practitioner", if_match=me.etag)
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.role"


def test_admin_cannot_demote_or_delete_themselves(api):
    path = f"/v1/users/{USERS[PRACTICE_A]['admin']}"
    me = api.get(path)
    assert api.patch(path, {"role": "billing"}, if_match=me.etag).status == 409
    assert api.patch(path, {"active": False}, if_match=me.etag).status == 409
    assert api.delete(path, if_match=me.etag).status == 409
    assert api.get(path).body["role"] == "admin"


def test_admin_deletes_a_user_and_the_email_is_free_again(api):
    created = api.post("/v1/users", NEW)
    assert api.delete(created.headers["location"], if_match=created.etag).status == 204
    assert api.get(created.headers["location"]).status == 404
    assert api.post("/v1/users", NEW).status == 201


def test_non_admin_cannot_manage_users(api):
    for role in ("practitioner", "front_desk", "billing"):
        assert api.post("/v1/users", NEW, role=role).status == 403
