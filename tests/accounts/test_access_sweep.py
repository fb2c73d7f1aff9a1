"""The access sweep: every URL pattern and every API route, read by every role, by a member and
an API key limited to one store, and by a member of another organization.

Routes are read from Django's resolver (the API's routes included), and path parameters are
filled from the world below by name, so a new page or route is swept without editing this file.

The world: organization A with region ``east`` and its stores ``s-in`` ("Store Inside") and
``s-out`` ("Store Outside"), a published survey with one response in each store (comments
INSIDE-MARK / OUTSIDE-MARK, contacts "Inez Inside" / "Otto Outside" with a personal attribute),
a dashboard with every kind of figure, a case (with a note) and an action plan (with a task) per
store carrying the store's mark; organization B with its own response, case and plan
(FOREIGN-MARK). A route naming a case, plan or task gets the one of the store whose response
is swept.

What must hold, for GET on every route (and the mutations that name a response):

1. nothing answers 500;
2. no member of A ever sees B's marker, and B's member never sees A's;
3. a role without ``pii.view`` never sees a contact's name, e-mail or personal attribute;
4. a page answers 403 exactly when the member's role lacks the page's permission
   (``member_required``), as docs/roles.md says;
5. the member and the key limited to ``s-in`` never see the other store's comment, contact or
   name — also when the query string names ``unit=s-out`` — and every route that names the other
   store's response, case or plan answers 404 and leaves it unchanged.

Removing the unit filter from :func:`openxm.surveys.door.responses` makes 5 fail; so does
removing it from :func:`openxm.cases.services.visible` or the plans' ``_visible``.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from openxm.accounts import services as accounts
from openxm.accounts.roles import ROLE_PERMISSIONS, Role
from openxm.customers.models import Contact
from openxm.surveys.models import Response

from .conftest import FOREIGN, OUTSIDE, PERSONAL

MISSING = "999999"

# --- Routes -----------------------------------------------------------------------------------

_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


def routes() -> list[tuple[str, object]]:
    """(pattern, view) of every URL pattern, API routes included."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.callback

    return list(walk(get_resolver().url_patterns))


def _value(pattern: str, name: str, w: dict, response: Response) -> str:
    survey = w["survey"]
    if name == "response_id" or (name == "pk" and pattern.startswith("responses/<int:pk>")):
        return str(response.pk)
    if name == "ref":
        return str(survey.pk) if pattern.startswith("surveys/") else survey.key
    if name == "survey_id":
        return str(survey.pk)
    if name == "contact_id":
        return str(response.contact_id)
    if name in ("case_id", "plan_id", "task_id"):
        return str(w[name.replace("_id", "s")][response.pk].pk)
    if name == "key":
        if "touchpoints/<" in pattern:
            return "web.visit"
        return "sweep" if "dashboards" in pattern else "buy-online"
    return {"stage": "aware", "code": "east", "org": w["org"].slug, "fmt": "png", "table": "result"}.get(
        name, MISSING
    )


def concrete(pattern: str, w: dict, response: Response) -> str:
    return "/" + _PARAM.sub(lambda m: _value(pattern, m["name"], w, response), pattern)


def names_contact(pattern: str) -> bool:
    return "<int:contact_id>" in pattern or "<contact_id>" in pattern


def names_response(pattern: str) -> bool:
    return (
        "<int:response_id>" in pattern
        or "<response_id>" in pattern
        or pattern.startswith("responses/<int:pk>")
    )


def names_loop(pattern: str) -> bool:
    """The route names a case or an action plan."""
    return "case_id>" in pattern or "plan_id>" in pattern


def _get(client, path: str, headers=None):
    response = client.get(path, headers=headers or {})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body.decode("utf-8", "replace")


def _sweep(client, w, headers=None, response=None, query=""):
    """(path, status, body) of GET on every route."""
    out = []
    for pattern, _view in routes():
        path = concrete(pattern, w, response or w["inside"]) + query
        status, body = _get(client, path, headers)
        out.append((pattern, path, status, body))
    return out


def _no_500(results):
    broken = [(path, status) for _p, path, status, _b in results if status >= 500]
    assert not broken, broken


def _absent(results, markers, what):
    leaks = [(path, m) for _p, path, _s, body in results for m in markers if m in body]
    assert not leaks, f"{what}: {leaks[:10]}"


# --- Every role, unlimited --------------------------------------------------------------------


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_role_on_every_page_and_route(world, make_member, client, role):
    org = world["org"]
    user = accounts.bootstrap_user(f"sweep-{role}@example.com", "correct-horse-battery-staple")
    accounts.set_member(accounts.operator_actor(org), user.email, role)
    key = accounts.create_api_key(accounts.operator_actor(org), f"sweep {role}", role).plaintext
    client.force_login(user)
    pages = _sweep(client, world)
    api = [r for r in _sweep(client, world, {"Authorization": f"Bearer {key}"}) if r[0].startswith("api/")]
    results = pages + api
    _no_500(results)
    _absent(results, [FOREIGN, "Bob Foreign"], "another organization's data")
    perms = ROLE_PERMISSIONS[Role(role)]
    if not any(p.value == "pii.view" for p in perms):
        _absent(results, PERSONAL, f"personal data shown to {role}")
    for pattern, view in routes():
        needed = getattr(view, "required_perm", None)
        if needed is None:
            continue
        status = next(s for p, _path, s, _b in pages if p == pattern)
        if needed in perms:
            assert status != 403, (pattern, role)
        else:
            assert status == 403, (pattern, role, status)


def test_another_organizations_member_sees_nothing_of_a(world, org_b, make_member, client):
    user = make_member(org_b, "owner", "owner-b@example.com")
    key = accounts.create_api_key(accounts.operator_actor(org_b), "b", "owner").plaintext
    client.force_login(user)
    for response in (world["inside"], world["outside"]):
        results = _sweep(client, world, response=response)
        results += _sweep(client, world, {"Authorization": f"Bearer {key}"}, response=response)
        _no_500(results)
        _absent(results, ["INSIDE-MARK", "Inez Inside", *OUTSIDE, "Store Inside"], "organization A's data")
        for pattern, path, status, _body in results:
            if names_response(pattern) and status == 200:
                pytest.fail(f"{path} answered 200 with another organization's response id")


# --- Limited to a store -----------------------------------------------------------------------


@pytest.fixture
def limited(world, client):
    """A web client and API headers of an admin and an admin key limited to s-in."""
    org = world["org"]
    accounts.bootstrap_user("store-admin@example.com", "correct-horse-battery-staple")
    membership = accounts.set_member(
        accounts.operator_actor(org), "store-admin@example.com", "admin", unit="s-in"
    )
    key = accounts.create_api_key(accounts.operator_actor(org), "store key", "admin", unit="s-in").plaintext
    client.force_login(membership.user)
    return client, {"Authorization": f"Bearer {key}"}


def test_a_store_limited_member_and_key_see_only_their_store(world, limited):
    client, headers = limited
    results = _sweep(client, world) + [r for r in _sweep(client, world, headers) if r[0].startswith("api/")]
    _no_500(results)
    _absent(results, OUTSIDE, "another store's data")
    assert any("INSIDE-MARK" in body for *_rest, body in results), (
        "the sweep never saw the own store's comment"
    )
    assert any("Store Inside" in body for *_rest, body in results)


def test_naming_another_store_in_the_query_never_gives_its_figures(world, limited):
    client, headers = limited
    for query in ("?unit=s-out", "?unit=east", "?unit=s-out&period=30d"):
        results = _sweep(client, world, query=query)
        results += [r for r in _sweep(client, world, headers, query=query) if r[0].startswith("api/")]
        _no_500(results)
        _absent(results, OUTSIDE, f"another store's data with {query}")
    api = _get(client, "/api/v1/insights/breakdown?by=unit&metric=nps&unit=s-out", headers)
    assert api[0] == 404
    assert _get(client, "/api/v1/insights/breakdown?by=unit&metric=nps", headers)[0] == 200


def test_every_route_naming_another_stores_response_is_not_found(world, limited):
    client, headers = limited
    outside = world["outside"]
    for pattern, _view in routes():
        if not names_response(pattern):
            continue
        path = concrete(pattern, world, outside)
        if pattern.startswith("api/"):
            calls = [
                client.get(path, headers=headers),
                client.delete(path, headers=headers),
                client.post(path, headers=headers, content_type="application/json", data={}),
            ]
        else:
            calls = [client.get(path), client.post(path)]
        statuses = {c.status_code for c in calls}
        assert statuses <= {404, 405}, (path, statuses)
    kept = Response.objects.for_org(world["org"]).get(pk=outside.pk)
    assert kept.contact_id is not None and "OUTSIDE-MARK" in kept.answers["comment"]


def test_every_route_naming_another_stores_contact_is_not_found(world, limited):
    client, headers = limited
    outside = world["outside"]
    contact = Contact.objects.for_org(world["org"]).get(pk=outside.contact_id)
    patterns = [p for p, _view in routes() if names_contact(p)]
    assert patterns, "no route names a contact"
    for pattern in patterns:
        path = concrete(pattern, world, outside)
        if pattern.startswith("api/"):
            calls = [
                client.get(path, headers=headers),
                client.patch(path, headers=headers, content_type="application/json", data={"name": "x"}),
                client.post(
                    path,
                    headers=headers,
                    content_type="application/json",
                    data={"type": "order", "occurred_at": "2026-01-01", "other": contact.pk},
                ),
            ]
        else:
            calls = [client.get(path), client.post(path)]
        statuses = {c.status_code for c in calls}
        assert statuses <= {404, 405}, (path, statuses)
    contact.refresh_from_db()
    assert contact.name == "Otto Outside" and contact.merged_into_id is None


def test_every_route_naming_another_stores_case_or_plan_is_not_found(world, limited):
    client, headers = limited
    outside = world["outside"]
    patterns = [p for p, _view in routes() if names_loop(p)]
    assert any(p.startswith("api/") for p in patterns) and any(p.startswith("cases/") for p in patterns)
    # One body valid for every route, so each call reaches the lookup rather than a 422.
    body = {"to": "reopened", "text": "x", "title": "x", "done": True, "channel": "call", "summary": "x"}
    for pattern in patterns:
        path = concrete(pattern, world, outside)
        if pattern.startswith("api/"):
            calls = [
                client.get(path, headers=headers),
                client.delete(path, headers=headers),
                client.patch(path, headers=headers, content_type="application/json", data=body),
                client.post(path, headers=headers, content_type="application/json", data=body),
            ]
        else:
            calls = [client.get(path), client.post(path, {"action": "note", "text": "x"})]
        statuses = {c.status_code for c in calls}
        assert statuses <= {404, 405}, (path, statuses)
    case, plan = world["cases"][outside.pk], world["plans"][outside.pk]
    bulk = client.post(
        "/api/v1/cases/bulk",
        headers=headers,
        content_type="application/json",
        data={"ids": [case.pk], "to": "reopened"},
    )
    assert bulk.status_code == 200 and bulk.json()["done"] == []
    case.refresh_from_db()
    plan.refresh_from_db()
    assert case.state == "resolved" and plan.title == "Plan OUTSIDE-MARK" and plan.tasks.count() == 1
