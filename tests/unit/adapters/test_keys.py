import pytest

from adapters.storage.entities import MAX_KEY_CHARS, StorageLimitExceeded
from adapters.storage.keys import (
    escape_key,
    join_key,
    prefix_range,
    split_key,
    unescape_key,
    validate_key,
)

FORBIDDEN = "/\\#?" + "".join(map(chr, range(0x20))) + "".join(map(chr, range(0x7F, 0xA0)))


@pytest.mark.parametrize(
    "raw", ["", "plain-id_42", "a/b\\c#d?e", "100%", "%2F", "a|b", FORBIDDEN, "ünï ✓ 😀"]
)
def test_escaping_is_reversible_and_yields_a_valid_key(raw):
    escaped = escape_key(raw)
    assert unescape_key(escaped) == raw
    assert validate_key(escaped) == escaped
    assert "|" not in escaped


def test_plain_text_is_left_alone_and_specials_become_percent_hex():
    assert escape_key("Order-42 A") == "Order-42 A"
    assert escape_key("a/b%c|d\x00") == "a%2Fb%25c%7Cd%00"


@pytest.mark.parametrize("bad", ["%", "%2", "%zz", "50%off", "%2f"])
def test_unescaping_text_that_was_not_escaped_fails(bad):
    with pytest.raises(ValueError, match="escaped"):
        unescape_key(bad)


@pytest.mark.parametrize("char", list(FORBIDDEN))
def test_validate_refuses_each_forbidden_character(char):
    with pytest.raises(StorageLimitExceeded, match="forbidden"):
        validate_key(f"a{char}b")


def test_validate_counts_utf16_units_up_to_the_limit():
    assert validate_key("k" * MAX_KEY_CHARS)
    with pytest.raises(StorageLimitExceeded):
        validate_key("k" * (MAX_KEY_CHARS + 1))
    with pytest.raises(StorageLimitExceeded):
        validate_key("😀" * (MAX_KEY_CHARS // 2 + 1))


def test_composite_keys_split_back_into_their_parts():
    parts = ("sku|1", "order/7", "", "100%")
    assert split_key(join_key(*parts)) == list(parts)
    assert join_key("a", "b") == "a|b"


def test_prefix_range_covers_longer_keys_with_the_same_leading_parts_only():
    low, high = prefix_range("sku1")
    inside = [join_key("sku1", "a"), join_key("sku1", "zzz", "x"), join_key("sku1", "|")]
    outside = [join_key("sku1"), join_key("sku10", "a"), join_key("sku", "1a"), "sku2"]
    assert all(low <= key < high for key in inside)
    assert not any(low <= key < high for key in outside)
