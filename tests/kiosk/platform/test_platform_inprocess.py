"""The ASGI app in-process (httpx ASGITransport): headers, error bodies, persistence."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from kiosk.platform.server import create_app

HEADERS = {"X-Terminal-Id": "T-INPROC"}


class Api:
    """A synchronous face over httpx's ASGI transport (no socket, same app)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://platform") as c:
                return await c.request(method, path, **kwargs)

        return asyncio.run(send())

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)


@pytest.fixture
def api(tmp_path: Path) -> Api:
    return Api(create_app(tmp_path))


def test_health_needs_no_terminal_id(api: Api) -> None:
    response = api.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize(
    ("path", "headers", "status", "code"),
    [
        ("/api/v1/certificates", {}, 400, "terminal_id_required"),
        ("/api/v1/certificates", HEADERS, 400, "idempotency_key_required"),
        ("/api/v1/nowhere", HEADERS, 404, "not_found"),
    ],
)
def test_errors_are_json_with_both_languages(
    api: Api, path: str, headers: dict[str, str], status: int, code: str
) -> None:
    body = {"resident_id": "rs_x", "certificate_type": "tax_payment"}
    response = api.post(path, json=body, headers=headers)
    assert response.status_code == status
    error = response.json()
    assert error["code"] == code
    assert error["message"] and error["message_en"]


def test_malformed_json_is_invalid_request(api: Api) -> None:
    response = api.post(
        "/api/v1/identity/resolve",
        content=b"{not json",
        headers={**HEADERS, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


def test_certificates_and_issuer_key_survive_a_restart(tmp_path: Path) -> None:
    body = {"resident_id": "rs_3b9e52d81c60", "certificate_type": "housing_fund_deposit"}
    headers = {**HEADERS, "Idempotency-Key": "restart-1"}
    first_run = Api(create_app(tmp_path))
    issued = first_run.post("/api/v1/certificates", json=body, headers=headers)
    assert issued.status_code == 201
    key = first_run.get("/api/v1/issuer-key").json()

    second_run = Api(create_app(tmp_path))
    assert second_run.get("/api/v1/issuer-key").json() == key
    again = second_run.post("/api/v1/certificates", json=body, headers=headers)
    serial = issued.json()["serial"]
    assert again.json()["serial"] == serial
    pdf = second_run.get(f"/api/v1/certificates/{serial}/pdf", headers=HEADERS)
    assert pdf.headers["content-type"] == "application/pdf"
    params = {"resident_id": body["resident_id"]}
    listed = second_run.get("/api/v1/applications", params=params, headers=HEADERS)
    assert len(listed.json()["items"]) == 2, "seeding must happen only on the first start"


def test_openapi_describes_every_route(api: Api) -> None:
    spec = api.get("/openapi.json").json()
    assert spec["info"]["version"] == "1.0.0"
    for path in ("/api/v1/identity/resolve", "/api/v1/certificates", "/api/v1/evaluations"):
        assert path in spec["paths"]
