import operator
import random

import pytest

from domain.filters import compile_filter

FIELDS = ("a", "b", "c", "_d_value")
OPS = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
FLIPPED = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}


def random_tree(rng, depth=0):
    kind = rng.choice(["cmp", "cmp", "not", "and", "or"] if depth < 4 else ["cmp"])
    if kind == "cmp":
        return ("cmp", rng.choice(FIELDS), rng.choice(list(OPS)), rng.randint(-2, 2), rng.random())
    if kind == "not":
        return ("not", random_tree(rng, depth + 1))
    return (kind, [random_tree(rng, depth + 1) for _ in range(rng.randint(2, 3))])


def expected(tree, record):
    kind = tree[0]
    if kind == "cmp":
        _, field, op, literal, _ = tree
        value = record.get(field)
        return op == "ne" if value is None else OPS[op](value, literal)
    if kind == "not":
        return not expected(tree[1], record)
    results = [expected(child, record) for child in tree[1]]
    return all(results) if kind == "and" else any(results)


def render(tree, rng, minimal):
    kind = tree[0]
    if kind == "cmp":
        _, field, op, literal, flip = tree
        return f"{literal} {FLIPPED[op]} {field}" if flip < 0.3 else f"{field} {op} {literal}"
    if kind == "not":
        return "not " + wrapped(tree[1], rng, minimal, needs=tree[1][0] in ("and", "or"))
    parts = [wrapped(c, rng, minimal, needs=kind == "and" and c[0] == "or") for c in tree[1]]
    return f" {kind}{' ' * rng.randint(1, 3)}".join(parts)


def wrapped(tree, rng, minimal, needs):
    text = render(tree, rng, minimal)
    return f"({text})" if needs or (not minimal and tree[0] != "cmp") else text


def used_fields(tree):
    if tree[0] == "cmp":
        return {tree[1]}
    children = [tree[1]] if tree[0] == "not" else tree[1]
    return set().union(*(used_fields(child) for child in children))


@pytest.mark.parametrize("seed", range(25))
def test_random_expressions_round_trip_and_agree_with_a_reference(seed):
    rng = random.Random(seed)
    tree = random_tree(rng)
    records = [{field: rng.choice([-2, -1, 0, 1, 2, None]) for field in FIELDS} for _ in range(30)]
    for minimal in (True, False):
        compiled = compile_filter(render(tree, rng, minimal))
        assert compile_filter(compiled.expression) is compiled
        assert compiled.fields == frozenset(used_fields(tree))
        for record in records:
            present = {key: value for key, value in record.items() if value is not None}
            assert compiled.matches(present) is expected(tree, record), (
                compiled.expression,
                record,
            )
