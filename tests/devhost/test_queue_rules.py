"""Queue message encoding, poison-queue naming, name validation and idle backoff (pure)."""

from __future__ import annotations

import pytest
from azure.storage.queue import TextBase64EncodePolicy

from devhost.config import ConfigError
from devhost.queue_listener import Backoff, poison_queue_name
from devhost.storage import MessageDecodeError, decode_body, encode_body, validate_queue_name


def test_base64_round_trip_matches_the_sdk_policy() -> None:
    wire = encode_body(b'{"job": 1}', "base64")

    assert wire == TextBase64EncodePolicy().encode('{"job": 1}')
    assert decode_body(wire, "base64") == b'{"job": 1}'


def test_base64_decoding_ignores_whitespace_like_dotnet() -> None:
    assert decode_body("aGVs\nbG8=", "base64") == b"hello"


@pytest.mark.parametrize("wire", ["not base64 !!", "abc", "{}"])
def test_invalid_base64_is_a_decode_error(wire: str) -> None:
    with pytest.raises(MessageDecodeError):
        decode_body(wire, "base64")


def test_none_encoding_is_plain_utf8() -> None:
    assert encode_body("héllo".encode(), "none") == "héllo"
    assert decode_body("héllo", "none") == "héllo".encode()


@pytest.mark.parametrize(
    ("queue", "poison"),
    [
        ("orders", "orders-poison"),
        ("orders-poison", None),
        ("q" * 56, "q" * 56 + "-poison"),
        ("q" * 57, None),
    ],
)
def test_poison_queue_names(queue: str, poison: str | None) -> None:
    assert poison_queue_name(queue) == poison


@pytest.mark.parametrize("name", ["ab", "Orders", "a--b", "-ab", "ab-", "a_b", "q" * 64])
def test_invalid_queue_names(name: str) -> None:
    with pytest.raises(ConfigError):
        validate_queue_name(name)


def test_valid_queue_name() -> None:
    assert validate_queue_name("order-events-1") == "order-events-1"


def test_backoff_grows_from_100ms_to_the_cap_and_resets() -> None:
    backoff = Backoff(maximum=2.0)

    delays = [backoff.next_delay() for _ in range(10)]
    backoff.reset()

    assert 0.08 <= delays[0] <= 0.12
    assert delays[-1] <= 2.0
    assert delays[-1] >= 1.6
    assert backoff.next_delay() <= 0.12
