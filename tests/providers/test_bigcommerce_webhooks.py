"""Webhook verification, pure: the custom secret header and Standard Webhooks signatures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from providers.bigcommerce.webhooks import WebhookRejected, sign, verify_delivery

HEADER = "X-Hub-Secret"
SECRET = "s3cret-value"
SIGNING = "app-client-secret"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
STAMP = int(NOW.timestamp())
BODY = json.dumps(
    {"scope": "store/order/created", "store_id": "1025646", "data": {"type": "order", "id": 250},
     "hash": "dd70c0976e06b67aaf671e73f49dcb79230ebf9d", "created_at": 1561479335,
     "producer": "stores/abc123"}
).encode()  # fmt: skip


def _signature(secret: bytes, webhook_id: str, stamp: int, body: bytes) -> str:
    """An independent Standard Webhooks signature (not the code under test)."""
    mac = hmac.new(secret, f"{webhook_id}.{stamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def _signed(stamp: int = STAMP, signature: str | None = None) -> dict[str, str]:
    return {
        HEADER: SECRET,
        "webhook-id": "msg_1",
        "webhook-timestamp": str(stamp),
        "webhook-signature": signature or _signature(SIGNING.encode(), "msg_1", stamp, BODY),
    }


def test_the_standard_webhooks_spec_vector() -> None:
    expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == expected


@pytest.mark.parametrize(
    ("headers", "signing", "body"),
    [
        pytest.param({HEADER: SECRET}, None, BODY, id="good custom header"),
        pytest.param({HEADER.lower(): SECRET}, None, BODY, id="header names ignore case"),
        pytest.param(_signed(), SIGNING, BODY, id="good signature"),
        pytest.param(_signed(STAMP - 299), SIGNING, BODY, id="within tolerance"),
        pytest.param(
            _signed(signature=f"v1,bm9wZQ== {_signed()['webhook-signature']}"),
            SIGNING,
            BODY,
            id="one of several signatures",
        ),
    ],
)
def test_authentic_deliveries(headers: dict[str, str], signing: str | None, body: bytes) -> None:
    delivery = verify_delivery(headers, body, HEADER, SECRET, signing, NOW)
    assert delivery.envelope.data.id == 250
    assert delivery.envelope.scope == "store/order/created"


@pytest.mark.parametrize(
    ("headers", "signing", "body", "reason"),
    [
        pytest.param({HEADER: "guess"}, None, BODY, "wrong X-Hub-Secret", id="bad custom header"),
        pytest.param({}, None, BODY, "missing X-Hub-Secret", id="no custom header"),
        pytest.param(
            {**_signed(), HEADER: "guess"}, SIGNING, BODY, "wrong", id="signed, bad custom header"
        ),
        pytest.param(
            _signed(signature=_signature(b"other", "msg_1", STAMP, BODY)),
            SIGNING,
            BODY,
            "no webhook-signature matches",
            id="bad signature",
        ),
        pytest.param(_signed(), SIGNING, BODY + b" ", "matches", id="body changed"),
        pytest.param(_signed(STAMP - 301), SIGNING, BODY, "too old", id="stale timestamp"),
        pytest.param(_signed(STAMP + 301), SIGNING, BODY, "future", id="future timestamp"),
        pytest.param({HEADER: SECRET}, SIGNING, BODY, "missing webhook-id", id="unsigned"),
        pytest.param(
            {**_signed(), "webhook-timestamp": "yesterday"}, SIGNING, BODY, "Unix", id="bad stamp"
        ),
        pytest.param({HEADER: SECRET}, None, b"{not json", "unreadable", id="malformed body"),
    ],
)
def test_rejected_deliveries(
    headers: dict[str, str], signing: str | None, body: bytes, reason: str
) -> None:
    with pytest.raises(WebhookRejected) as caught:
        verify_delivery(headers, body, HEADER, SECRET, signing, NOW)
    assert reason in caught.value.reason


def test_nothing_is_accepted_without_a_configured_secret() -> None:
    with pytest.raises(WebhookRejected, match="no webhook secret"):
        verify_delivery({HEADER: ""}, BODY, HEADER, "", None, NOW)


def test_a_replayed_delivery_has_the_same_key_for_the_caller_to_refuse() -> None:
    seen: set[str] = set()
    outcomes = []
    for _ in range(2):
        delivery = verify_delivery(_signed(), BODY, HEADER, SECRET, SIGNING, NOW)
        outcomes.append(delivery.dedupe_key not in seen)
        seen.add(delivery.dedupe_key)
    assert outcomes == [True, False]
    assert seen == {"msg_1"}


def test_an_unsigned_delivery_is_keyed_by_the_envelope_hash() -> None:
    later = NOW + timedelta(hours=1)
    delivery = verify_delivery({HEADER: SECRET}, BODY, HEADER, SECRET, None, later)
    assert delivery.dedupe_key == "hash:dd70c0976e06b67aaf671e73f49dcb79230ebf9d"
    assert delivery.webhook_id is None
