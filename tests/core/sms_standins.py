"""Local HTTP stand-ins for the SMS vendors' APIs: they check what each vendor documents (the
action, its parameters, the request signature, recomputed from the shared secret) and answer
as the vendor does, success or error."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    signature_ok: bool
    problems: list[str] = field(default_factory=list)


Answer = tuple[int, dict[str, Any]]


class StandIn:
    """A threaded HTTP server on a free loopback port; `answer(seen)` gives (status, JSON)."""

    def __init__(self, verify: Callable[[Seen], None], answer: Callable[[Seen], Answer]) -> None:
        self.requests: list[Seen] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                parts = urlsplit(self.path)
                seen = Seen(
                    method="POST",
                    path=parts.path,
                    query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    signature_ok=False,
                )
                verify(seen)
                stand_in.requests.append(seen)
                status, payload = answer(seen)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _hex_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- Alibaba Cloud: RPC API, signature V3 (ACS3-HMAC-SHA256) -------------------------------


def aliyun_verifier(access_key_id: str, secret: str) -> Callable[[Seen], None]:
    """Checks SendSms as documented: Action and Version headers, its query parameters, and the
    V3 signature: canonical request → string to sign → HMAC-SHA256 with the AccessKey secret."""

    def verify(seen: Seen) -> None:
        h = seen.headers
        auth = h.get("authorization", "")
        if not auth.startswith("ACS3-HMAC-SHA256 "):
            seen.problems.append("not ACS3-HMAC-SHA256")
            return
        fields = dict(part.strip().split("=", 1) for part in auth[len("ACS3-HMAC-SHA256 ") :].split(","))
        signed = fields["SignedHeaders"].split(";")
        for needed in (
            "host",
            "x-acs-action",
            "x-acs-version",
            "x-acs-date",
            "x-acs-signature-nonce",
            "x-acs-content-sha256",
        ):
            if needed not in signed:
                seen.problems.append(f"{needed} not signed")
        if fields["Credential"] != access_key_id:
            seen.problems.append("credential")
        if h.get("x-acs-content-sha256") != _hex_sha256(seen.body):
            seen.problems.append("payload hash")
        query = "&".join(f"{k}={quote(v, safe='~')}" for k, v in sorted(seen.query.items()))
        headers = "".join(f"{name}:{h.get(name, '').strip()}\n" for name in signed)
        canonical = f"POST\n{seen.path or '/'}\n{query}\n{headers}\n{';'.join(signed)}\n{h.get('x-acs-content-sha256')}"
        to_sign = f"ACS3-HMAC-SHA256\n{_hex_sha256(canonical.encode())}"
        expected = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
        seen.signature_ok = hmac.compare_digest(expected, fields["Signature"])

    return verify


def aliyun_answer(seen: Seen, *, code: str = "OK") -> Answer:
    if not seen.signature_ok:
        return 400, {
            "Code": "SignatureDoesNotMatch",
            "Message": "Specified signature is not matched.",
            "RequestId": "r-1",
        }
    if code != "OK":
        return 200, {"Code": code, "Message": "refused", "RequestId": "r-2"}
    return 200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r-3"}


# --- Tencent Cloud: API 3.0, TC3-HMAC-SHA256 -----------------------------------------------


def tencent_verifier(secret_id: str, secret_key: str) -> Callable[[Seen], None]:
    def verify(seen: Seen) -> None:
        h = seen.headers
        auth = h.get("authorization", "")
        if not auth.startswith("TC3-HMAC-SHA256 "):
            seen.problems.append("not TC3-HMAC-SHA256")
            return
        fields = dict(part.strip().split("=", 1) for part in auth[len("TC3-HMAC-SHA256 ") :].split(","))
        credential_id, date, service, terminator = fields["Credential"].split("/")
        timestamp = int(h.get("x-tc-timestamp", "0"))
        if credential_id != secret_id or service != "sms" or terminator != "tc3_request":
            seen.problems.append("credential scope")
        if datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d") != date:
            seen.problems.append("date")
        signed = fields["SignedHeaders"].split(";")
        if "content-type" not in signed or "host" not in signed:
            seen.problems.append("content-type and host must be signed")
        headers = "".join(f"{name}:{h.get(name, '').strip().lower()}\n" for name in signed)
        canonical = f"POST\n/\n\n{headers}\n{';'.join(signed)}\n{_hex_sha256(seen.body)}"
        to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{date}/sms/tc3_request\n{_hex_sha256(canonical.encode())}"

        def sign(key: bytes, msg: str) -> bytes:
            return hmac.new(key, msg.encode(), hashlib.sha256).digest()

        signing = sign(sign(sign(("TC3" + secret_key).encode(), date), "sms"), "tc3_request")
        expected = hmac.new(signing, to_sign.encode(), hashlib.sha256).hexdigest()
        seen.signature_ok = hmac.compare_digest(expected, fields["Signature"])

    return verify


def tencent_answer(seen: Seen, *, code: str = "Ok") -> Answer:
    if not seen.signature_ok:
        error = {"Code": "AuthFailure.SignatureFailure", "Message": "The provided credentials could not be validated."}
        return 200, {"Response": {"Error": error, "RequestId": "t-1"}}
    body = json.loads(seen.body)
    return 200, {
        "Response": {
            "SendStatusSet": [
                {
                    "SerialNo": "5000:1045710669157053657849499619" if code == "Ok" else "",
                    "PhoneNumber": body["PhoneNumberSet"][0],
                    "Fee": 1,
                    "SessionContext": "",
                    "Code": code,
                    "Message": "send success" if code == "Ok" else "refused",
                    "IsoCode": "CN",
                }
            ],
            "RequestId": "t-2",
        }
    }
