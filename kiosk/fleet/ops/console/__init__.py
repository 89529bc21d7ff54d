"""The web console: server-rendered pages under ``/console/`` for operators.

Log in with an operator token; the server keeps the session in the database and
gives the browser only a random session id (cookie ``HttpOnly``, ``SameSite=Strict``,
path ``/console``). Every form carries the session's CSRF token and every POST also
checks ``Origin`` when the browser sends one. Roles are the API's: a viewer sees, an
operator pushes bundles, an admin also revokes kiosks. Templates and CSS are local.
"""

from __future__ import annotations

import datetime
import hmac
import json
import secrets
import urllib.parse
from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from kiosk import safe_yaml
from kiosk.fleet.ops.service import ROLES, FleetError, FleetService, Unauthorised, require_role

HERE = Path(__file__).parent
SESSION_COOKIE = "tb_console"
LOGIN_COOKIE = "tb_login"  # double-submit CSRF token for the login form (no session yet)
MAX_ROWS = 500

PROBLEMS = {
    "offline": "离线 Offline",
    "paper_near_end": "纸将尽 Paper near end",
    "reader_missing": "读卡器缺失 Reader missing",
    "device_failed": "设备故障 Device failed",
}
SITE_TYPES = {"community": "社区 Community", "bank": "银行 Bank", "post_office": "邮局 Post office"}
STATUS_LABELS = {
    "online": "在线 Online",
    "degraded": "降级 Degraded",
    "offline": "离线 Offline",
    "revoked": "已吊销 Revoked",
}
OK_STATES = {"ok", "ready", "online"}
MISSING_STATES = {"missing", "absent", "not_found", "disconnected"}
FAILED_STATES = {"failed", "error", "paper_out", "offline"}


def device_state(value: Any) -> str:
    """A device's state as reported: a string, or ``{health, reason}`` (reason wins)."""
    if isinstance(value, dict):
        return str(value.get("reason") or value.get("health") or "unknown")
    return str(value)


def problems(row: dict[str, Any]) -> list[str]:
    """The problem keys (``PROBLEMS``) of one fleet row."""
    found = []
    if row["status"] == "offline":
        found.append("offline")
    devices = {name: device_state(v) for name, v in (row.get("devices") or {}).items()}
    if any(state in ("paper_near_end", "near_end") for state in devices.values()):
        found.append("paper_near_end")
    if devices and devices.get("idcard", "missing") in MISSING_STATES:
        found.append("reader_missing")
    if any(state in FAILED_STATES for state in devices.values()):
        found.append("device_failed")
    return found


def overview(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fleet rows with ``problems`` and a console ``state``: online, degraded, offline, revoked."""
    result = []
    for row in rows:
        found = problems(row)
        state = row["status"]
        if state == "online" and found:
            state = "degraded"
        result.append({**row, "problems": found, "state": state})
    return result


def _when(value: float | None) -> str:
    if value is None:
        return "—"
    return datetime.datetime.fromtimestamp(value).strftime("%Y-%m-%d %H:%M:%S")


class _LoginRequired(Exception):
    pass


def mount_console(app: FastAPI, service: FleetService, *, secure_cookie: bool = False) -> None:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.globals.update(
        PROBLEMS=PROBLEMS, SITE_TYPES=SITE_TYPES, STATUS_LABELS=STATUS_LABELS, ROLES=ROLES
    )
    env.filters["device_state"] = device_state
    env.filters["compact_json"] = lambda value: json.dumps(value, ensure_ascii=False)
    router = APIRouter(prefix="/console")

    def render(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(**context)
        return HTMLResponse(
            html,
            status_code=status_code,
            headers={
                "Cache-Control": "no-store",
                "X-Frame-Options": "DENY",
                "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
                "Referrer-Policy": "same-origin",
            },
        )

    async def session(request: Request) -> dict[str, str]:
        try:
            return await run_in_threadpool(
                service.console_session, request.cookies.get(SESSION_COOKIE)
            )
        except Unauthorised as exc:
            raise _LoginRequired from exc

    async def form(request: Request, user: dict[str, str] | None) -> dict[str, str]:
        """The POSTed form, after the Origin and CSRF checks."""
        origin = request.headers.get("origin")
        if origin and urllib.parse.urlsplit(origin).netloc != request.headers.get("host"):
            raise _Refused("cross-origin form refused")
        fields = {
            k: v[0]
            for k, v in urllib.parse.parse_qs(
                (await request.body()).decode("utf-8", "replace"), keep_blank_values=True
            ).items()
        }
        expected = user["csrf"] if user else request.cookies.get(LOGIN_COOKIE, "")
        if not expected or not hmac.compare_digest(fields.get("csrf", ""), expected):
            raise _Refused("missing or wrong CSRF token")
        return fields

    @app.exception_handler(_LoginRequired)
    async def to_login(_request: Request, _exc: _LoginRequired) -> Response:
        return RedirectResponse("/console/login", status_code=303)

    @app.exception_handler(_Refused)
    async def refused(_request: Request, exc: _Refused) -> Response:
        return render("error.html", 403, message=str(exc), user=None)

    @router.get("/login")
    async def login_page(request: Request) -> Response:
        token = secrets.token_urlsafe(24)
        response = render("login.html", csrf=token, error=None, user=None)
        _set_cookie(response, LOGIN_COOKIE, token, secure_cookie, max_age=3600)
        return response

    @router.post("/login")
    async def login(request: Request) -> Response:
        fields = await form(request, None)
        try:
            session_id, _csrf = await run_in_threadpool(
                service.open_console_session, fields.get("token", "").strip()
            )
        except FleetError:
            csrf = request.cookies.get(LOGIN_COOKIE, "")
            return render("login.html", 401, csrf=csrf, error="令牌无效 Unknown token", user=None)
        response = RedirectResponse("/console/", status_code=303)
        _set_cookie(response, SESSION_COOKIE, session_id, secure_cookie)
        response.delete_cookie(LOGIN_COOKIE, path="/console")
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        user = await session(request)
        await form(request, user)
        await run_in_threadpool(
            service.close_console_session, request.cookies.get(SESSION_COOKIE, "")
        )
        response = RedirectResponse("/console/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/console")
        return response

    @router.get("/")
    async def fleet_page(
        request: Request, group: str = "", site_type: str = "", problem: str = ""
    ) -> Response:
        user = await session(request)
        rows = overview(await run_in_threadpool(service.fleet))
        counts = {state: 0 for state in STATUS_LABELS}
        for row in rows:
            counts[row["state"]] += 1
        groups = sorted({row["group"] for row in rows})
        shown = [
            row
            for row in rows
            if (not group or row["group"] == group)
            and (not site_type or row["site_type"] == site_type)
            and (not problem or problem in row["problems"])
        ]
        bundles = await run_in_threadpool(service.recent_bundles, 5)
        return render(
            "fleet.html",
            user=user,
            counts=counts,
            total=len(rows),
            rows=shown[:MAX_ROWS],
            matched=len(shown),
            groups=groups,
            filters={"group": group, "site_type": site_type, "problem": problem},
            bundles=bundles,
            max_rows=MAX_ROWS,
        )

    @router.get("/kiosks/{kiosk_id}")
    async def kiosk_page(kiosk_id: str, request: Request) -> Response:
        user = await session(request)
        try:
            kiosk = await run_in_threadpool(service.kiosk_detail, kiosk_id)
        except FleetError as exc:
            return render("error.html", exc.status, message=str(exc), user=user)
        kiosk["problems"] = problems(kiosk)
        return render("kiosk.html", user=user, kiosk=kiosk, can_revoke=user["role"] == "admin")

    @router.post("/kiosks/{kiosk_id}/revoke")
    async def revoke(kiosk_id: str, request: Request) -> Response:
        user = await session(request)
        await form(request, user)
        try:
            require_role(user["role"], "admin")
            await run_in_threadpool(service.revoke, kiosk_id)
        except FleetError as exc:
            return render("error.html", exc.status, message=str(exc), user=user)
        return RedirectResponse(f"/console/kiosks/{kiosk_id}", status_code=303)

    @router.get("/admin")
    async def admin_page(request: Request) -> Response:
        user = await session(request)
        try:
            require_role(user["role"], "admin")
        except FleetError as exc:
            return render("error.html", exc.status, message=str(exc), user=user)
        operators = await run_in_threadpool(service.operators)
        keys = await run_in_threadpool(service.keys.listing)
        return render("admin.html", user=user, operators=operators, keys=keys)

    @router.post("/operators/{token_id}/revoke")
    async def revoke_operator(token_id: str, request: Request) -> Response:
        user = await session(request)
        await form(request, user)
        try:
            require_role(user["role"], "admin")
            await run_in_threadpool(service.revoke_operator, token_id)
        except FleetError as exc:
            return render("error.html", exc.status, message=str(exc), user=user)
        return RedirectResponse("/console/admin", status_code=303)

    def push_form(user: dict[str, str], **context: Any) -> dict[str, Any]:
        values = {"target_kind": "group", "target": "", "canary": "0", "deadline": "60", "yaml": ""}
        values.update(context.pop("values", {}))
        return {"user": user, "values": values, "errors": context.pop("errors", {}), **context}

    @router.get("/push")
    async def push_page(request: Request, group: str = "", kiosk: str = "") -> Response:
        user = await session(request)
        try:
            require_role(user["role"], "operator")
        except FleetError as exc:
            return render("error.html", exc.status, message=str(exc), user=user)
        values = {"target_kind": "kiosk", "target": kiosk} if kiosk else {"target": group}
        return render("push.html", **push_form(user, values=values))

    @router.post("/push")
    async def push(request: Request) -> Response:
        user = await session(request)
        fields = await form(request, user)
        try:
            require_role(user["role"], "operator")
        except FleetError as exc:
            return render("error.html", exc.status, message=str(exc), user=user)
        values = {
            k: fields.get(k, "").strip()
            for k in ("target_kind", "target", "canary", "deadline", "yaml")
        }
        errors: dict[str, str] = {}
        overlay: Any = None
        if values["target_kind"] not in ("group", "kiosk"):
            errors["target_kind"] = "请选择分组或终端 Choose a group or a kiosk"
        if not values["target"]:
            errors["target"] = "必填 Required"
        canary = _number(values["canary"], 0, 100)
        if canary is None:
            errors["canary"] = "0–100 之间的数字 A number from 0 to 100"
        deadline = _number(values["deadline"], 0.1, 7 * 24 * 60)
        if deadline is None:
            errors["deadline"] = "分钟数 Minutes (0.1 – 10080)"
        try:
            overlay = safe_yaml.load(values["yaml"]) if values["yaml"] else None
            if not isinstance(overlay, dict):
                errors["yaml"] = "需要 YAML 映射 A YAML mapping of sections is required"
        except yaml.YAMLError as exc:
            errors["yaml"] = f"YAML 语法错误 YAML syntax error: {str(exc).splitlines()[0]}"
        if not errors:
            try:
                result = await run_in_threadpool(
                    lambda: service.push_bundle(
                        target_kind=values["target_kind"],
                        target=values["target"],
                        overlay=overlay,
                        canary_percent=canary or 0,
                        canary_deadline_s=(deadline or 60) * 60,
                    )
                )
            except FleetError as exc:
                errors["yaml"] = f"配置无效 Invalid: {exc}"
            else:
                notify = getattr(request.app.state, "bundle_pushed", None)
                if notify is not None:
                    notify()
                return RedirectResponse(f"/console/rollouts/{result['version']}", status_code=303)
        return render("push.html", 422, **push_form(user, values=values, errors=errors))

    @router.get("/rollouts/{version}")
    async def rollout_page(version: int, request: Request) -> Response:
        user = await session(request)
        try:
            rollout = await run_in_threadpool(service.rollout_progress, version)
        except FleetError as exc:
            return render("error.html", exc.status, message=str(exc), user=user)
        return render("rollout.html", user=user, rollout=rollout)

    app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")


class _Refused(Exception):
    pass


def _number(text: str, low: float, high: float) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if low <= value <= high else None


def _set_cookie(
    response: Response, name: str, value: str, secure: bool, max_age: int | None = None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/console",
        httponly=True,
        samesite="strict",
        secure=secure,
    )
