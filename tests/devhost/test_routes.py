"""ASP.NET route templates translated by devhost.routes (pure)."""

from __future__ import annotations

import pytest

from devhost.routes import RouteError, Router, compile_template


@pytest.mark.parametrize(
    ("template", "path", "expected"),
    [
        ("items/{id}", "/api/items/abc", {"id": "abc"}),
        ("items/{id}", "/api/items", None),
        ("items/{id}", "/api/items/a/b", None),
        ("items/{id:int}", "/api/items/42", {"id": "42"}),
        ("items/{id:int}", "/api/items/-5", {"id": "-5"}),
        ("items/{id:int}", "/api/items/abc", None),
        ("items/{id:int}", "/api/items/2147483648", None),
        ("items/{id:long}", "/api/items/2147483648", {"id": "2147483648"}),
        ("items/{id:long}", "/api/items/1.5", None),
        ("c/{name:alpha}", "/api/c/Books", {"name": "Books"}),
        ("c/{name:alpha}", "/api/c/b00ks", None),
        (
            "g/{id:guid}",
            "/api/g/0f8fad5b-d9cb-469f-a165-70867728950e",
            {"id": "0f8fad5b-d9cb-469f-a165-70867728950e"},
        ),
        (
            "g/{id:guid}",
            "/api/g/0f8fad5bd9cb469fa16570867728950e",
            {"id": "0f8fad5bd9cb469fa16570867728950e"},
        ),
        ("g/{id:guid}", "/api/g/not-a-guid", None),
        ("f/{on:bool}", "/api/f/True", {"on": "True"}),
        ("f/{on:bool}", "/api/f/yes", None),
        ("t/{tag?}", "/api/t", {}),
        ("t/{tag?}", "/api/t/red", {"tag": "red"}),
        ("t/{tag=blue}", "/api/t", {"tag": "blue"}),
        ("files/{*rest}", "/api/files", {}),
        ("files/{*rest}", "/api/files/", {}),
        ("files/{*rest}", "/api/files/a/b.txt", {"rest": "a/b.txt"}),
        ("{name}.{ext}", "/api/report.pdf", {"name": "report", "ext": "pdf"}),
        ("health", "/API/Health", {}),
        ("health", "/api/health/", {}),
        ("health", "/api/healthz", None),
        ("n/{v:range(1,5)}", "/api/n/5", {"v": "5"}),
        ("n/{v:range(1,5)}", "/api/n/6", None),
        ("s/{v:minlength(3)}", "/api/s/ab", None),
        ("s/{v:regex(^\\d{{3}}$)}", "/api/s/123", {"v": "123"}),
    ],
)
def test_template_matching(template: str, path: str, expected: dict[str, str] | None) -> None:
    assert compile_template("api", template).match(path) == expected


def test_empty_prefix() -> None:
    route = compile_template("", "items/{id:int}")

    assert route.match("/items/3") == {"id": "3"}
    assert route.match("/api/items/3") is None


def test_unknown_constraint_is_rejected() -> None:
    with pytest.raises(RouteError):
        compile_template("api", "x/{id:nonsense}")


def test_literal_beats_parameter_whatever_the_order() -> None:
    router: Router[str] = Router("api")
    router.add("items/{id}", None, "by-id")
    router.add("items/new", None, "new")
    router.add("items/{*rest}", None, "rest")

    assert router.match("/api/items/new", "GET").target == "new"
    assert router.match("/api/items/7", "GET").target == "by-id"
    assert router.match("/api/items/7/x", "GET").target == "rest"


def test_method_not_allowed_versus_not_found() -> None:
    router: Router[str] = Router("api")
    router.add("items/{id:int}", ["GET"], "get")

    assert router.match("/api/items/1", "GET").values == {"id": "1"}
    assert router.match("/api/items/1", "POST").method_not_allowed
    missing = router.match("/api/items/x", "POST")
    assert missing.target is None
    assert not missing.method_not_allowed


def test_methods_none_means_every_method() -> None:
    router: Router[str] = Router("api")
    router.add("any", None, "any")

    assert all(router.match("/api/any", m).target == "any" for m in ("GET", "PUT", "DELETE"))


def test_same_path_different_methods_go_to_different_functions() -> None:
    router: Router[str] = Router("api")
    router.add("items", ["GET"], "list")
    router.add("items", ["POST"], "create")

    assert router.match("/api/items", "GET").target == "list"
    assert router.match("/api/items", "post").target == "create"
