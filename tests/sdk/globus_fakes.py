"""Recorded Globus services for the Globus backend tests (no network).

* :class:`RecordedGlobus` answers the Flows and Compute calls Gladier makes, with the response
  bodies of ``globus_sdk.testing`` as templates (ids, definitions and statuses filled in), and
  keeps what it was sent;
* :class:`FakeGlobusAuth` answers Globus Auth: OpenID configuration, a signing key, the token
  grants (authorization code, refresh token, client credentials) with RS256 ``id_token``s,
  revocation and userinfo;
* :class:`ScriptedLogin` is a globus-sdk login flow that "consents" without a human;
* :class:`Logins` is a ``CallbackLoginManager`` callback that grants any scope.

Everything is registered on a ``responses.RequestsMock``: a request to any other URL fails.
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import re
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlparse

import globus_sdk
import jwt
import responses
from cryptography.hazmat.primitives.asymmetric import rsa
from globus_sdk.login_flows import LoginFlowManager
from globus_sdk.testing import get_response_set

from gladier import CallbackLoginManager
from gladier.services.scopes import flow_scope, resource_server_for

FLOWS_URL = "https://flows.automate.globus.org"
AUTH_URL = "https://auth.globus.org"
COMPUTE_URL = "https://compute.api.globus.org"
CLIENT_ID = "f1631610-d9e4-4db2-81ba-7f93ad4414e3"
USER_ID = "5e1ec7ed-0000-4000-8000-00000000a11c"
USERNAME = "ada@example.org"

Reply = tuple[int, dict[str, str], str]


def fixture_body(method: Callable[..., Any], case: str = "default") -> dict[str, Any]:
    """A copy of the JSON body globus-sdk's testing fixtures answer ``method`` with."""
    found = get_response_set(method).lookup(case)
    found = getattr(found, "responses", [found])[0]
    return copy.deepcopy(found.json)


def _json(status: int, body: Any) -> Reply:
    return status, {"Content-Type": "application/json"}, json.dumps(body)


def _error(status: int, code: str, detail: str) -> Reply:
    return _json(status, {"error": {"code": code, "detail": detail}, "debug_id": str(uuid.uuid4())})


def _body(request: Any) -> dict[str, Any]:
    return json.loads(request.body) if request.body else {}


class RecordedGlobus:
    """A recorded Flows and Compute service (see the module documentation)."""

    def __init__(
        self,
        mock: responses.RequestsMock,
        flows_url: str = FLOWS_URL,
        compute_url: str = COMPUTE_URL,
    ) -> None:
        self.flows: dict[str, dict[str, Any]] = {}
        self.runs: dict[str, dict[str, Any]] = {}
        self.functions: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, str, dict[str, Any], str]] = []
        #: state name -> exception text of a failed compute task
        self.failing_states: dict[str, str] = {}
        #: flow ids whose next run answers 403 MISSING_SCOPE
        self.missing_scope: set[str] = set()
        self._flow_template = fixture_body(globus_sdk.FlowsClient.get_flow)
        self._run_template = fixture_body(globus_sdk.SpecificFlowClient.run_flow)
        self._status_template = fixture_body(globus_sdk.FlowsClient.get_run)
        self._log_template = fixture_body(globus_sdk.FlowsClient.get_run_logs)
        flows = re.escape(flows_url.rstrip("/"))
        compute = re.escape(compute_url.rstrip("/"))
        uid = "([0-9a-f-]{36})"
        routes: list[tuple[str, str, Callable[..., Reply]]] = [
            ("POST", rf"{flows}/flows$", self._create),
            ("GET", rf"{flows}/flows/{uid}$", self._get_flow),
            ("PUT", rf"{flows}/flows/{uid}$", self._update),
            ("DELETE", rf"{flows}/flows/{uid}$", self._delete),
            ("POST", rf"{flows}/flows/{uid}/run$", self._run),
            ("GET", rf"{flows}/runs/{uid}(\?.*)?$", self._get_run),
            ("GET", rf"{flows}/runs/{uid}/log(\?.*)?$", self._get_log),
            ("POST", rf"{flows}/runs/{uid}/cancel$", self._cancel),
            ("POST", rf"{flows}/runs/{uid}/resume$", self._resume),
            ("POST", rf"{compute}/v3/functions$", self._register),
            ("GET", rf"{compute}/v2/functions/{uid}$", self._get_function),
        ]
        for method, pattern, handler in routes:
            mock.add_callback(method, re.compile(pattern), callback=self._recorded(handler))

    def _recorded(self, handler: Callable[..., Reply]) -> Callable[[Any], Reply]:
        def callback(request: Any) -> Reply:
            path = urlparse(request.url).path
            self.calls.append(
                (request.method, path, _body(request), request.headers.get("Authorization", ""))
            )
            ids = re.findall(r"[0-9a-f]{8}-[0-9a-f-]{27}", path)
            return handler(request, *ids)

        return callback

    def paths(self, method: str | None = None) -> list[str]:
        """The paths called (with ``method`` only), in order."""
        return [path for verb, path, _, _ in self.calls if method in (None, verb)]

    def sent(self, method: str, path_end: str) -> list[dict[str, Any]]:
        """The bodies sent with ``method`` to paths ending in ``path_end``."""
        return [
            body for verb, path, body, _ in self.calls if verb == method and path.endswith(path_end)
        ]

    # ------------------------------------------------------------------ flows
    def _flow_document(self, flow_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        doc = copy.deepcopy(self._flow_template)
        for key in ("flow_viewers", "flow_starters", "flow_administrators", "keywords"):
            doc[key] = []
        doc.update(
            {
                "id": flow_id,
                "globus_auth_scope": flow_scope(flow_id),
                "principal_urn": f"urn:globus:auth:identity:{flow_id}",
                "globus_auth_username": f"{flow_id}@clients.auth.globus.org",
                "action_url": f"https://flows.globus.org/flows/{flow_id}",
                "flow_url": f"https://flows.globus.org/flows/{flow_id}",
                "created_by": f"urn:globus:auth:identity:{USER_ID}",
                "flow_owner": f"urn:globus:auth:identity:{USER_ID}",
            }
        )
        doc.update(body)
        return doc

    def add_flow(self, **body: Any) -> str:
        """A flow deployed earlier (by someone else, or Gladier 0.11); returns its id."""
        flow_id = str(uuid.uuid4())
        self.flows[flow_id] = self._flow_document(flow_id, body)
        return flow_id

    def _create(self, request: Any) -> Reply:
        flow_id = str(uuid.uuid4())
        self.flows[flow_id] = self._flow_document(flow_id, _body(request))
        return _json(201, self.flows[flow_id])

    def _missing(self, flow_id: str) -> Reply:
        return _error(404, "NOT_FOUND", f"No flow with id {flow_id} exists")

    def _get_flow(self, request: Any, flow_id: str) -> Reply:
        if flow_id not in self.flows:
            return self._missing(flow_id)
        return _json(200, self.flows[flow_id])

    def _update(self, request: Any, flow_id: str) -> Reply:
        if flow_id not in self.flows:
            return self._missing(flow_id)
        self.flows[flow_id].update(_body(request))
        return _json(200, self.flows[flow_id])

    def _delete(self, request: Any, flow_id: str) -> Reply:
        if flow_id not in self.flows:
            return self._missing(flow_id)
        doc = self.flows.pop(flow_id)
        return _json(200, {**doc, "DELETED": True})

    def _run(self, request: Any, flow_id: str) -> Reply:
        if flow_id not in self.flows:
            return self._missing(flow_id)
        if flow_id in self.missing_scope:
            self.missing_scope.discard(flow_id)
            error = fixture_body(globus_sdk.SpecificFlowClient.run_flow, "missing_scope_error")
            return _json(403, error)
        body = _body(request)
        run_id = str(uuid.uuid4())
        doc = copy.deepcopy(self._run_template)
        doc.update(
            {
                "run_id": run_id,
                "action_id": run_id,
                "flow_id": flow_id,
                "flow_title": self.flows[flow_id].get("title"),
                "label": body.get("label", doc.get("label")),
                "tags": body.get("tags", []),
                "status": "ACTIVE",
                "display_status": "ACTIVE",
            }
        )
        for key in ("run_managers", "run_monitors"):
            if key in body:
                doc[key] = body[key]
        doc["details"] = {"code": "FlowStarting", "description": "The Flow is starting execution"}
        self.runs[run_id] = {"doc": doc, "input": body.get("body", {})}
        return _json(201, doc)

    def _state_output(self, name: str, state: Mapping[str, Any]) -> dict[str, Any]:
        failure = self.failing_states.get(name)
        details: dict[str, Any] = (
            {"task_id": str(uuid.uuid4()), "status": "failed", "exception": failure}
            if failure
            else {"results": [{"task_id": str(uuid.uuid4()), "status": "success", "output": "ok"}]}
        )
        return {
            "action_id": str(uuid.uuid4()),
            "state_name": name,
            "status": "FAILED" if failure else "SUCCEEDED",
            "display_status": "FAILED" if failure else "SUCCEEDED",
            "details": details,
        }

    def _finished(self, run_id: str) -> dict[str, Any]:
        run = self.runs[run_id]
        flow = self.flows.get(run["doc"]["flow_id"], {})
        doc = copy.deepcopy(self._status_template)
        doc.update({k: v for k, v in run["doc"].items() if k in doc or k == "tags"})
        output: dict[str, Any] = {"input": run["input"].get("input", {})}
        for name, state in (flow.get("definition") or {}).get("States", {}).items():
            if state.get("Type") == "Action":
                key = str(state.get("ResultPath", f"$.{name}")).removeprefix("$.")
                output[key] = self._state_output(name, state)
        doc.update(
            {
                "status": "SUCCEEDED",
                "display_status": "SUCCEEDED",
                "details": {
                    "code": "FlowSucceeded",
                    "description": "The Flow run reached a successful completion state",
                    "output": output,
                },
            }
        )
        return doc

    def _get_run(self, request: Any, run_id: str) -> Reply:
        if run_id not in self.runs:
            return _error(404, "NOT_FOUND", f"No run with id {run_id}")
        return _json(200, self._finished(run_id))

    def _get_log(self, request: Any, run_id: str) -> Reply:
        return _json(200, self._log_template)

    def _cancel(self, request: Any, run_id: str) -> Reply:
        doc = {**self._finished(run_id), "status": "FAILED", "display_status": "CANCELLED"}
        return _json(202, doc)

    def _resume(self, request: Any, run_id: str) -> Reply:
        return _json(200, {**self.runs[run_id]["doc"], "status": "ACTIVE"})

    # ------------------------------------------------------------------ compute
    def _register(self, request: Any) -> Reply:
        function_id = str(uuid.uuid4())
        self.functions[function_id] = _body(request)
        return _json(200, {"function_uuid": function_id})

    def _get_function(self, request: Any, function_id: str) -> Reply:
        if function_id not in self.functions:
            return _error(404, "NOT_FOUND", f"No function {function_id}")
        data = self.functions[function_id]
        return _json(200, {"function_uuid": function_id, **data})


class Logins:
    """A login callback that grants any scope; ``asked`` records each call."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def __call__(self, scopes: list[str]) -> dict[str, Any]:
        self.asked.append(list(scopes))
        return {
            scope: globus_sdk.AccessTokenAuthorizer(f"token-{len(self.asked)}-{n}")
            for n, scope in enumerate(scopes)
        }

    def manager(self) -> CallbackLoginManager:
        return CallbackLoginManager({}, callback=self)


# ---------------------------------------------------------------------- auth
class FakeGlobusAuth:
    """Globus Auth for UserApp and ClientApp logins (see the module documentation)."""

    def __init__(
        self,
        mock: responses.RequestsMock,
        client_id: str = CLIENT_ID,
        auth_url: str = AUTH_URL,
    ) -> None:
        self.client_id = client_id
        self.auth_url = auth_url.rstrip("/")
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.expires_in = 172800
        #: every token string handed out (access, refresh and id tokens)
        self.issued: list[str] = []
        #: the form of every token request
        self.grants: list[dict[str, str]] = []
        self.revoked: list[str] = []
        self._codes: dict[str, list[str]] = {}
        self._refresh: dict[str, tuple[str, str]] = {}
        self._counter = itertools.count(1)
        #: scopes granted for a code this fake did not hand out (``gladier login``)
        self.default_scopes: list[str] = []
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        mock.get(
            f"{self.auth_url}/.well-known/openid-configuration",
            json={
                "issuer": self.auth_url,
                "jwks_uri": f"{self.auth_url}/jwk.json",
                "id_token_signing_alg_values_supported": ["RS256"],
            },
        )
        mock.get(f"{self.auth_url}/jwk.json", json={"keys": [{**jwk, "alg": "RS256"}]})
        mock.add_callback("POST", f"{self.auth_url}/v2/oauth2/token", callback=self._token)
        mock.add_callback("POST", f"{self.auth_url}/v2/oauth2/token/revoke", callback=self._revoke)
        mock.add_callback("GET", f"{self.auth_url}/v2/oauth2/userinfo", callback=self._userinfo)

    def authorize(self, scopes: list[str]) -> str:
        """The code a user gets after consenting to ``scopes``."""
        code = f"code-{next(self._counter)}"
        self._codes[code] = list(scopes)
        return code

    def _secret(self, kind: str) -> str:
        token = f"{kind}-{uuid.uuid4().hex}"
        self.issued.append(token)
        return token

    def _id_token(self) -> str:
        now = int(time.time())
        claims = {
            "sub": USER_ID,
            "aud": self.client_id,
            "iss": self.auth_url,
            "iat": now,
            "exp": now + 3600,
            "preferred_username": USERNAME,
        }
        token = jwt.encode(claims, self._key, algorithm="RS256")
        self.issued.append(token)
        return token

    def _document(self, server: str, scopes: list[str], refresh: bool) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "access_token": self._secret("access"),
            "expires_in": self.expires_in,
            "resource_server": server,
            "scope": " ".join(scopes),
            "token_type": "Bearer",
        }
        if refresh:
            doc["refresh_token"] = self._secret("refresh")
            self._refresh[doc["refresh_token"]] = (server, doc["scope"])
        return doc

    def _grant(self, scopes: list[str], *, refresh: bool, identity: bool) -> dict[str, Any]:
        grouped: dict[str, list[str]] = {}
        for scope in dict.fromkeys(scopes):
            grouped.setdefault(resource_server_for(scope), []).append(scope)
        docs = [self._document(server, names, refresh) for server, names in grouped.items()]
        top = {**docs[0], "other_tokens": docs[1:], "state": "_default"}
        if identity and "openid" in scopes:
            top["id_token"] = self._id_token()
        return top

    def _token(self, request: Any) -> Reply:
        form = {key: values[0] for key, values in parse_qs(request.body).items()}
        self.grants.append(form)
        grant = form.get("grant_type")
        if grant == "authorization_code":
            scopes = self._codes.pop(form.get("code", ""), None) or self.default_scopes
            return _json(200, self._grant(scopes, refresh=True, identity=True))
        if grant == "refresh_token":
            server, scope = self._refresh[form["refresh_token"]]
            doc = self._document(server, scope.split(), refresh=False)
            doc["refresh_token"] = form["refresh_token"]
            return _json(200, {**doc, "other_tokens": []})
        if grant == "client_credentials":
            basic = request.headers.get("Authorization", "")
            user = base64.b64decode(basic.removeprefix("Basic ")).decode().split(":")[0]
            if user != self.client_id:
                return _json(401, {"error": "invalid_client"})
            return _json(200, self._grant(form["scope"].split(), refresh=False, identity=False))
        return _json(400, {"error": "unsupported_grant_type"})

    def _revoke(self, request: Any) -> Reply:
        form = {key: values[0] for key, values in parse_qs(request.body).items()}
        self.revoked.append(form.get("token", ""))
        return _json(200, {"active": False})

    def _userinfo(self, request: Any) -> Reply:
        return _json(
            200,
            {"sub": USER_ID, "preferred_username": USERNAME, "name": "Ada", "email": USERNAME},
        )

    def refresh_grants(self) -> list[dict[str, str]]:
        """The refresh-token grants made so far."""
        return [form for form in self.grants if form.get("grant_type") == "refresh_token"]


class ScriptedLogin(LoginFlowManager):
    """A globus-sdk login flow that consents to whatever is asked, without a human.

    ``logins`` records the scopes of each login (one entry per consent).
    """

    def __init__(self, login_client: globus_sdk.AuthLoginClient, fake: FakeGlobusAuth) -> None:
        super().__init__(login_client, request_refresh_tokens=True)
        self.fake = fake
        self.logins: list[list[str]] = []
        self.urls: list[str] = []

    def run_login_flow(
        self, auth_parameters: globus_sdk.gare.GlobusAuthorizationParameters
    ) -> globus_sdk.OAuthTokenResponse:
        scopes = [str(scope) for scope in auth_parameters.required_scopes or []]
        redirect = f"{self.login_client.base_url}v2/web/auth-code"
        self.urls.append(self._get_authorize_url(auth_parameters, redirect))
        self.logins.append(scopes)
        return self.login_client.oauth2_exchange_code_for_tokens(self.fake.authorize(scopes))


class ScriptedLoginProvider:
    """Builds a :class:`ScriptedLogin` for each globus-sdk app (``login_flow_manager=``)."""

    def __init__(self, fake: FakeGlobusAuth) -> None:
        self.fake = fake
        self.flows: list[ScriptedLogin] = []

    def for_globus_app(
        self, *, app_name: str, config: Any, login_client: globus_sdk.AuthLoginClient
    ) -> ScriptedLogin:
        flow = ScriptedLogin(login_client, self.fake)
        self.flows.append(flow)
        return flow

    @property
    def logins(self) -> list[list[str]]:
        """The scopes of every login, across all apps, in order."""
        return [scopes for flow in self.flows for scopes in flow.logins]
