"""Stateful walk of the sandbox API: every operation reached with a valid
session, every answer checked against the OpenAPI document by schemathesis,
and the activation's rules checked on the way.

schemathesis's own fuzzing and stateful phases rarely get past
`POST /v1/sessions` (a random identity number is not a sandbox person), so
this walk drives the documented sequences for every qualification method and
then breaks each rule once on purpose.

    api_walk.py BASE_URL OPENAPI_JSON AKTIVER_SIM SANDBOX_DB

Prints one line per check and `API walk: N checks, P passed, F failed`;
exits 1 when any check failed or an operation was never answered with a
success.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import time
import uuid

import schemathesis
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

# The demo person of the built-in population: every method, a code unit and a
# password (see the README's population table).
PERSON = "15859010099"
PHONE = "+4791234567"
PASSWORD = "Fjord9Lyng4"
NEW_PASSWORD = "Breen7Tind3Vidde"


class Walk:
    def __init__(self, base_url: str, spec: str, sim: str, db: str) -> None:
        self.base_url = base_url
        self.schema = schemathesis.openapi.from_path(spec)
        self.sim = sim
        self.db = db
        self.passed = 0
        self.failed = 0
        # operation label -> True once it answered with a 2xx
        self.succeeded: dict[str, bool] = {
            f"{method.upper()} {path}": False
            for path, item in json.load(open(spec))["paths"].items()
            for method in item
            if method in ("get", "post", "delete", "put", "patch")
        }

    # -- calling -----------------------------------------------------------

    def call(self, method: str, path: str, body=None, session_id=None, query=None, key=None):
        """One request through schemathesis; the answer is validated against
        the document (status, content type, schema, no server error)."""
        op = self.schema[path][method]
        headers = {}
        if method in ("POST", "DELETE"):
            headers["Idempotency-Key"] = key or uuid.uuid4().hex
        parts = {"headers": headers}
        if session_id is not None:
            parts["path_parameters"] = {"session_id": session_id}
        if query is not None:
            parts["query"] = query
        if method == "POST":
            parts["body"] = {} if body is None else body
            parts["media_type"] = "application/json"
        case = op.Case(**parts)
        response = case.call(base_url=self.base_url)
        label = f"{method} {path}"
        try:
            case.validate_response(response)
        except Exception as error:  # schemathesis raises a group of failures
            self.fail(f"{label}: answer does not conform to the document: {error}")
        if 200 <= response.status_code < 300:
            self.succeeded[label] = True
        return response

    def expect(self, what: str, response, status: int, code: str | None = None):
        """A rule: the answer has this status (and this error code)."""
        body = response.json() if response.content else {}
        ok = response.status_code == status and (code is None or body.get("code") == code)
        if ok:
            self.passed += 1
            print(f"ok    {what}")
        else:
            self.fail(f"{what}: expected {status} {code or ''}, got {response.status_code} {body.get('code', '')}")
        return body

    def expect_error(self, what: str, response, code: str | None):
        """A rule: the answer is a client error (with this error code)."""
        body = response.json() if response.content else {}
        if 400 <= response.status_code < 500 and (code is None or body.get("code") == code):
            self.passed += 1
            print(f"ok    {what} ({response.status_code} {body.get('code', '')})")
        else:
            self.fail(f"{what}: expected a 4xx {code or ''}, got {response.status_code} {body.get('code', '')}")
        return body

    def fail(self, message: str) -> None:
        self.failed += 1
        print(f"FAIL  {message}")

    # -- helpers for the steps that need a computation ----------------------

    def sim_out(self, *args: str) -> str:
        return subprocess.run([self.sim, *args], check=True, capture_output=True, text=True).stdout.strip()

    @staticmethod
    def sign(key: ec.EllipticCurvePrivateKey, data: bytes) -> str:
        return base64.b64encode(key.sign(data, ec.ECDSA(hashes.SHA256()))).decode()

    @staticmethod
    def spki(key: ec.EllipticCurvePrivateKey) -> str:
        der = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode()

    def sms_code(self, phone: str) -> str:
        inbox = self.call("GET", "/v1/sandbox/sms", query={"phone": phone}).json()
        return inbox["messages"][0]["code"]

    def challenge(self, sid: str) -> bytes:
        r = self.call("POST", "/v1/sessions/{session_id}/challenge", session_id=sid)
        return base64.b64decode(self.expect("challenge issued", r, 200)["challenge_b64"])

    # -- the sequences -----------------------------------------------------

    def reset(self) -> None:
        """A fresh person between sequences (sessions, counters, devices)."""
        self.sim_out("sandbox", "reset", "--person", PERSON, "--db", self.db)

    def through_sms(self) -> str:
        r = self.call("POST", "/v1/sessions", body={"national_id": PERSON})
        sid = self.expect("session started", r, 201)["session_id"]
        r = self.call("POST", "/v1/sessions/{session_id}/phone", {"phone": PHONE}, sid)
        self.expect("phone accepted", r, 200)
        code = self.sms_code(PHONE)
        r = self.call("POST", "/v1/sessions/{session_id}/sms/verify", {"code": code}, sid)
        self.expect("SMS code accepted", r, 200)
        return sid

    def finish(self, sid: str, password: str, new_password: str | None) -> None:
        device = ec.generate_private_key(ec.SECP256R1())
        ch = self.challenge(sid)
        r = self.call(
            "POST", "/v1/sessions/{session_id}/device",
            {"public_key_spki_b64": self.spki(device), "signature_b64": self.sign(device, ch)}, sid,
        )
        self.expect("device key bound", r, 200)
        if new_password:
            r = self.call("POST", "/v1/sessions/{session_id}/password", {"new_password": new_password}, sid)
            self.expect("password set after the ID check", r, 200)
            password = new_password
        bio = ec.generate_private_key(ec.SECP256R1())
        ch = self.challenge(sid)
        r = self.call(
            "POST", "/v1/sessions/{session_id}/biometric-key",
            {"public_key_spki_b64": self.spki(bio), "signature_b64": self.sign(bio, ch)}, sid,
        )
        self.expect("biometric key bound", r, 200)
        r = self.call("POST", "/v1/sessions/{session_id}/push-token", {"platform": "fcm", "token": "walk"}, sid)
        self.expect("push token stored", r, 200)
        agreement = self.call("GET", "/v1/agreement").json()
        signature = self.sign(device, base64.b64decode(agreement["sha256_b64"]))
        body = {"agreement_id": agreement["id"], "signature_b64": signature, "password": password + "x"}
        r = self.call("POST", "/v1/sessions/{session_id}/agreement", body, sid)
        self.expect_error("agreement refused with a wrong password", r, "password_wrong")
        body["password"] = password
        r = self.call("POST", "/v1/sessions/{session_id}/agreement", body, sid)
        self.expect("agreement signed", r, 200)
        view = self.call("GET", "/v1/sessions/{session_id}", session_id=sid).json()
        if view.get("step") == "complete":
            self.passed += 1
            print("ok    session complete")
        else:
            self.fail(f"session not complete after the agreement: step {view.get('step')}")

    def code_unit(self) -> None:
        self.reset()
        sid = self.through_sms()
        r = self.call("POST", "/v1/sessions/{session_id}/method", {"method": "code_unit"}, sid)
        self.expect("code unit chosen", r, 200)
        otp = self.sim_out("otp", "--person", PERSON)
        wrong = f"{(int(otp) + 1) % 10**len(otp):0{len(otp)}d}"
        r = self.call("POST", "/v1/sessions/{session_id}/code-unit", {"otp": wrong, "password": PASSWORD}, sid)
        self.expect_error("a wrong one-time code refused", r, "otp_wrong")
        r = self.call("POST", "/v1/sessions/{session_id}/code-unit", {"otp": otp, "password": PASSWORD}, sid)
        self.expect("code unit accepted", r, 200)
        self.finish(sid, PASSWORD, None)

    def activation_code(self) -> None:
        self.reset()
        sid = self.through_sms()
        r = self.call("POST", "/v1/sessions/{session_id}/method", {"method": "activation_code"}, sid)
        self.expect("activation code chosen", r, 200)
        r = self.call("POST", "/v1/sandbox/activation-code", {"national_id": PERSON})
        code = self.expect("online bank issued a code", r, 201)["code"]
        r = self.call("POST", "/v1/sessions/{session_id}/activation-code", {"code": code}, sid)
        self.expect("activation code accepted", r, 200)
        self.finish(sid, PASSWORD, None)

    def id_check_evidence(self, sid: str, drop_active_auth: bool = False) -> dict:
        """Method, face check, challenge and the virtual chip's evidence."""
        r = self.call("POST", "/v1/sessions/{session_id}/method", {"method": "id_check"}, sid)
        self.expect("ID check chosen", r, 200)
        portrait = self.sim_out("chip", "evidence", "--person", PERSON, "--portrait-hash")
        r = self.call("POST", "/v1/sandbox/face-check", {"session_id": sid, "portrait_sha256_b64": portrait})
        verdict = self.expect("face check verdict", r, 201)
        ch = base64.b64encode(self.challenge(sid)).decode()
        evidence = json.loads(
            subprocess.run(
                [self.sim, "chip", "evidence", "--person", PERSON, "--challenge", ch, "--face-verdict", "-"],
                input=json.dumps(verdict), check=True, capture_output=True, text=True,
            ).stdout
        )
        if drop_active_auth:
            evidence["active_auth"] = None
        return evidence

    def id_check(self) -> None:
        # A clone first: the chip's data without its active-authentication answer.
        self.reset()
        sid = self.through_sms()
        clone = self.id_check_evidence(sid, drop_active_auth=True)
        r = self.call("POST", "/v1/sessions/{session_id}/id-check", clone, sid)
        self.expect_error("a cloned chip (no active authentication) refused", r, None)
        view = self.call("GET", "/v1/sessions/{session_id}", session_id=sid).json()
        if view.get("step") in ("id_check", "method", None) or "step" not in view:
            self.passed += 1
            print(f"ok    after the clone the session is not qualified (step {view.get('step')})")
        else:
            self.fail(f"after a refused clone the session went on to {view.get('step')}")
        self.reset()
        sid = self.through_sms()
        evidence = self.id_check_evidence(sid)
        r = self.call("POST", "/v1/sessions/{session_id}/id-check", evidence, sid)
        self.expect("ID check passed", r, 200)
        self.finish(sid, PASSWORD, NEW_PASSWORD)

    def rules(self) -> None:
        """Each rule broken once, on a valid session."""
        self.reset()
        r = self.call("POST", "/v1/sessions", body={"national_id": PERSON})
        sid = self.expect("session started", r, 201)["session_id"]
        r = self.call("POST", "/v1/sessions/{session_id}/method", {"method": "code_unit"}, sid)
        self.expect("a step out of order refused", r, 409, "wrong_step")
        key = uuid.uuid4().hex
        first = self.call("POST", "/v1/sessions/{session_id}/phone", {"phone": PHONE}, sid, key=key)
        again = self.call("POST", "/v1/sessions/{session_id}/phone", {"phone": PHONE}, sid, key=key)
        if first.status_code == again.status_code == 200 and first.json() == again.json():
            self.passed += 1
            print("ok    a replay with the same Idempotency-Key gets the same answer")
        else:
            self.fail(f"replay answered {again.status_code}, first {first.status_code}")
        r = self.call("POST", "/v1/sessions/{session_id}/phone", {"phone": "+4791234568"}, sid, key=key)
        self.expect("the same Idempotency-Key with another body refused", r, 422, "idempotency_key_reused")
        r = self.call("POST", "/v1/sessions/{session_id}/sms/resend", session_id=sid)
        body = self.expect("a resend inside the cooldown refused", r, 429, "resend_too_soon")
        time.sleep(float(body.get("retry_after_s") or 0) + 0.2)
        r = self.call("POST", "/v1/sessions/{session_id}/sms/resend", session_id=sid)
        self.expect("a resend after the cooldown sends a new code", r, 200)
        code = self.sms_code(PHONE)
        wrong = f"{(int(code) + 1) % 10**len(code):0{len(code)}d}"
        r = self.call("POST", "/v1/sessions/{session_id}/sms/verify", {"code": wrong}, sid)
        body = self.expect_error("a wrong SMS code refused", r, "sms_code_wrong")
        if isinstance(body.get("attempts_left"), int):
            self.passed += 1
            print("ok    the wrong SMS code answer says how many attempts are left")
        else:
            self.fail("no attempts_left with sms_code_wrong")
        r = self.call("GET", "/v1/sessions/{session_id}", session_id=sid)
        self.expect("session readable", r, 200)
        r = self.call("DELETE", "/v1/sessions/{session_id}", session_id=sid)
        self.expect("session cancelled", r, 200)
        r = self.call("POST", "/v1/sessions/{session_id}/sms/verify", {"code": code}, sid)
        if r.status_code >= 400:
            self.passed += 1
            print(f"ok    a cancelled session takes no more steps ({r.json().get('code')})")
        else:
            self.fail("a cancelled session accepted the SMS code")
        r = self.call("GET", "/v1/sessions/{session_id}", session_id="not-a-session")
        self.expect("an unknown session id", r, 404, "session_not_found")

    def run(self) -> int:
        for sequence in (self.code_unit, self.activation_code, self.id_check, self.rules):
            print(f"== {sequence.__name__}")
            try:
                sequence()
            except Exception as error:  # a broken step ends its sequence, not the walk
                self.fail(f"{sequence.__name__} stopped: {error!r}")
        never = [label for label, ok in self.succeeded.items() if not ok]
        for label in never:
            self.fail(f"{label} was never answered with a success")
        total = self.passed + self.failed
        reached = len(self.succeeded) - len(never)
        print(f"operations answered with a success: {reached}/{len(self.succeeded)}")
        print(f"API walk: {total} checks, {self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(Walk(*sys.argv[1:]).run())
