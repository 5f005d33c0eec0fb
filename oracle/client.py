"""A small client for shop backends: sign receipts with the backend's key and submit them.

    from oracle.client import OracleClient
    client = OracleClient("http://127.0.0.1:8080", backend_id="shop-1", private_key="0x...")
    record = client.submit_purchase(order_id="2024-000123", consumer=..., supplier=..., amount=12_999)
    client.wait_for(record["ref"], "minted")

Retries are safe because the API is idempotent: a receipt is signed once, and the very same signed
body is resent on connection errors, timeouts, 429 and 5xx; the oracle answers the stored record.
A 4xx other than 429 is final and raised as `OracleError` (with the field errors).

How long to retry: `retries` attempts (default 5), or, with `deadline` (seconds), as many as fit in that time
(e.g. a 503 `referrer_bps_bound_unavailable` while the oracle's RPC is down). Each retry is logged (logger
`oracle.client`, warning); giving up raises `OracleUnavailable` saying how many attempts over how long, and the
last answer.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx
from eth_account import Account

from .receipts import ZERO_ADDRESS, Domain, Read, Receipt, Refund, order_ref, sign_read, sign_receipt, sign_refund

RETRY_STATUSES = {429, 500, 502, 503, 504}
log = logging.getLogger("oracle.client")


class OracleError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body
        errors = body.get("errors") if isinstance(body, dict) else None
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors or []) or str(body)
        super().__init__(f"oracle answered {status}: {detail}")

    @property
    def reason(self) -> str | None:
        return self.body.get("reason") if isinstance(self.body, dict) else None


class OracleUnavailable(OracleError):
    """Retried until the attempts or the deadline ran out; `attempts`, `elapsed` and the last answer say how."""

    def __init__(self, status: int, body: Any, attempts: int, elapsed: float) -> None:
        super().__init__(status, body)
        self.attempts, self.elapsed = attempts, elapsed
        last = f"{status} {self.reason or ''}".strip() if status else "no answer (connection failed)"
        self.args = (f"gave up after {attempts} attempts over {elapsed:.1f}s; last answer: {last}: {self}",)


class OracleClient:
    def __init__(
        self,
        base_url: str,
        backend_id: str,
        private_key: bytes | str,
        *,
        domain: Domain | None = None,
        http: httpx.Client | None = None,
        timeout: float = 10.0,
        retries: int = 5,
        backoff: float = 0.2,
        max_backoff: float = 5.0,
        deadline: float | None = None,
    ) -> None:
        self.backend_id = backend_id
        self._key = private_key
        self.address = Account.from_key(private_key).address
        self.http = http or httpx.Client(base_url=base_url, timeout=timeout)
        self._domain = domain
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.deadline = deadline

    def __repr__(self) -> str:  # never show the key
        return f"OracleClient(backend={self.backend_id!r}, address={self.address})"

    def close(self) -> None:
        self.http.close()

    # ------------------------------------------------------------------ signing
    def domain(self) -> Domain:
        if self._domain is None:
            self._domain = Domain.from_dict(self._request("GET", "/receipt-domain")["domain"])
        return self._domain

    def order_ref(self, order_id: str) -> str:
        return order_ref(self.backend_id, order_id)

    def receipt(
        self,
        order_id: str,
        consumer: str,
        supplier: str,
        amount: int,
        *,
        currency: str = "CNY",
        referrer: str | None = None,
        paid_at: int | None = None,
        referrer_bps: int = 0,
    ) -> Receipt:
        return Receipt(
            backend=self.backend_id,
            order_id=order_id,
            consumer=consumer,
            referrer=referrer or ZERO_ADDRESS,
            supplier=supplier,
            amount=int(amount),
            currency=currency,
            paid_at=int(time.time()) if paid_at is None else int(paid_at),
            referrer_bps=referrer_bps,
        )

    def signed_body(self, receipt: Receipt) -> dict[str, Any]:
        return {"receipt": receipt.message(), "signature": sign_receipt(receipt, self.domain(), self._key)}

    # ------------------------------------------------------------------ calls
    def submit(self, receipt: Receipt) -> dict[str, Any]:
        """Submit a receipt; returns the stored record (new or the same one again)."""
        return self._request("POST", "/purchases", json=self.signed_body(receipt))

    def submit_purchase(
        self, order_id: str, consumer: str, supplier: str, amount: int, **kwargs: Any
    ) -> dict[str, Any]:
        return self.submit(self.receipt(order_id, consumer, supplier, amount, **kwargs))

    def read_headers(self, ref: str, at: int | None = None) -> dict[str, str]:
        """The X-Backend-Auth header proving this backend reads `ref` (an EIP-712 `Read`, valid a few minutes)."""
        read = Read(backend=self.backend_id, order_ref=ref.lower(), at=int(time.time()) if at is None else at)
        return {"X-Backend-Auth": f"{self.backend_id}:{read.at}:{sign_read(read, self.domain(), self._key)}"}

    def status(self, ref: str) -> dict[str, Any]:
        """The full record (signed as this backend: only its own purchases)."""
        return self._request("GET", f"/purchases/{ref}", headers=self.read_headers(ref))

    def refund(self, ref: str, reason: str = "", refunded_at: int | None = None) -> dict[str, Any]:
        refund = Refund(
            backend=self.backend_id,
            order_ref=ref,
            reason=reason,
            refunded_at=int(time.time()) if refunded_at is None else refunded_at,
        )
        body = {"refund": refund.message(), "signature": sign_refund(refund, self.domain(), self._key)}
        return self._request("POST", f"/purchases/{ref}/refund", json=body)

    def wait_for(
        self, ref: str, status: str = "minted", timeout: float = 60.0, interval: float = 0.25
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            record = self.status(ref)
            if record["status"] == status:
                return record
            if record["status"] in ("refunded", "rejected") and status not in ("refunded", "rejected"):
                raise OracleError(409, record)
            if time.monotonic() > deadline:
                raise TimeoutError(f"{ref} is {record['status']} after {timeout}s")
            time.sleep(interval)

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        start = time.monotonic()
        delay, attempt = self.backoff, 0
        while True:
            attempt += 1
            status, body = 0, None
            try:
                resp = self.http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                body = {"error": "unreachable", "message": f"{type(exc).__name__}: {exc}"}
            else:
                status, body = resp.status_code, _body(resp)
                if status not in RETRY_STATUSES:
                    if status >= 400 or not isinstance(body, dict):
                        raise OracleError(status, body)
                    return body
            elapsed = time.monotonic() - start
            if self._out_of_time(attempt, elapsed + delay):
                raise OracleUnavailable(status, body, attempt, elapsed)
            log.warning(
                "%s %s: answer %s, retrying in %.2fs (attempt %d)", method, path, status or "none", delay, attempt
            )
            time.sleep(delay)
            delay = min(delay * 2, self.max_backoff)

    def _out_of_time(self, attempts: int, elapsed_after_wait: float) -> bool:
        if self.deadline is not None:
            return elapsed_after_wait > self.deadline
        return attempts > self.retries


def _body(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return resp.text
