"""Property-based requests from the app's own OpenAPI spec (schemathesis): none may get a 5xx,
and every error answer is problem-details JSON.

Runs authenticated as an admin (so every route is reachable) on both databases, with bounded
examples (fewer on PostgreSQL: the same routes, only the storage differs).
Logout and password change are left out: they would revoke the token the run is using.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quantflow_server.auth.principal import Role

SKIP = {("POST", "/api/auth/logout"), ("POST", "/api/auth/password")}


def test_no_generated_request_gets_a_server_error(api, backend) -> None:
    examples = 25 if backend.name == "sqlite" else 8
    headers = api.add_user("root", Role.ADMIN)
    spec = api.client.get("/schema/openapi.json", headers=headers).json()
    schema = schemathesis.openapi.from_dict(spec)
    operations = [r.ok() for r in schema.get_all_operations()]
    operations = [op for op in operations if (op.method.upper(), op.path) not in SKIP]
    assert len(operations) > 20
    failures: list[str] = []
    statuses: set[int] = set()

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data: st.DataObject) -> None:
        for op in operations:
            case = data.draw(op.as_strategy())
            kwargs = case.as_transport_kwargs(base_url="http://testserver.local", headers=headers)
            kwargs.pop("verify", None)
            response = api.client.request(**kwargs)
            statuses.add(response.status_code)
            if response.status_code >= 500 or (
                response.status_code >= 400
                and not response.headers.get("content-type", "").startswith("application/problem+json")
            ):
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}")

    check()
    assert failures == [], "\n".join(dict.fromkeys(failures))
    assert {200, 201, 400, 404} <= statuses, statuses  # real requests reach the handlers, authenticated
