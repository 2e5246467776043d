"""Reading content files: YAML errors located, scalars kept as typed text, files discovered."""

from __future__ import annotations

import marshal
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import content as content_module
from generator.content import ContentTree, keep_readings, read_content, read_content_apart
from tests.unit.conftest import ContentDir


def test_malformed_yaml_is_reported_with_its_line(content: ContentDir) -> None:
    content.write("links/open.yaml", "kind: instant\nname: [unclosed\nseason: ss27\n")
    problem = content.problem()
    assert problem.file == "content/links/open.yaml"
    assert problem.line == 3
    assert problem.message.startswith("invalid YAML:")


def test_duplicate_key_is_an_error_at_its_second_line(content: ContentDir) -> None:
    content.edit("links/open.yaml", "name: SS27 open\n", "name: SS27 open\nname: Again\n")
    problem = content.problem()
    assert (problem.file, problem.line, problem.field) == ("content/links/open.yaml", 3, "name")
    assert problem.message == "key 'name' appears twice in one mapping; keep one"


def test_empty_file_and_several_documents_are_errors(content: ContentDir) -> None:
    content.write("buyers/empty.yaml", "# nothing yet\n")
    content.write("lookbooks/two.yaml", "title: A\n---\ntitle: B\n")
    problems = {p.file: p for p in content.problems()}
    assert problems["content/buyers/empty.yaml"].message == "the file is empty"
    two = problems["content/lookbooks/two.yaml"]
    assert (two.line, two.message) == (3, "more than one YAML document; keep one per file")


def test_aliases_that_expand_without_end_are_refused_before_they_are_expanded(
        content: ContentDir) -> None:
    """A 364-byte file of nested aliases would be a billion values (about 10 GB before this
    check); one that contains itself would never end."""
    laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n" for n in range(1, 12))
    content.write("lookbooks/laughs.yaml", laughs)
    content.write("lookbooks/loop.yaml", "title: x\npages: &p [*p]\n")
    problems = {p.file: p for p in content.problems()}
    assert problems["content/lookbooks/laughs.yaml"].message.startswith(
        "the aliases (*name) of this file expand to far more values than it writes out")
    loop = problems["content/lookbooks/loop.yaml"]
    assert (loop.line, loop.message) == (2, "an alias (*name) refers to a value that contains "
                                            "it, which never ends; write the value out")


def test_a_value_shared_through_an_alias_is_read(content: ContentDir) -> None:
    content.edit("links/open.yaml", "name: SS27 open\n",
                 "name: &title SS27 open\ndescription: *title\n")
    link = content.load().links["open"]
    assert link.description == link.name


def test_a_file_that_is_not_a_mapping_is_an_error(content: ContentDir) -> None:
    content.write("links/list.yaml", "- kind: instant\n")
    problem = content.problem()
    assert problem.file == "content/links/list.yaml"
    assert problem.message == "expected a mapping of fields (key: value)"


def test_missing_brand_and_missing_directory_are_errors(tmp_path: Path) -> None:
    tree = read_content(tmp_path / "nowhere")
    assert [p.message for p in tree.problems] == [
        "content directory not found; pass the folder that holds brand.yaml (default: content/)"
    ]
    (tmp_path / "empty").mkdir()
    tree = read_content(tmp_path / "empty")
    assert tree.problems[0].file == "empty/brand.yaml"
    assert "brand.yaml not found" in tree.problems[0].message


def test_scalars_stay_text_so_codes_keep_their_zeros(content: ContentDir) -> None:
    tree = read_content(content.root)
    products = tree.of_kind("products")[0].data
    tote = products["styles"][1]
    assert tote["colors"][0]["code"] == "001"
    assert products["styles"][0]["prices"]["USD"]["rrp"] == "320.00"


def test_explicit_null_is_none_but_quoted_null_is_text(tmp_path: Path) -> None:
    (tmp_path / "brand.yaml").write_text('a: ~\nb: "null"\nc: NO\n', encoding="utf-8")
    data = read_content(tmp_path).of_kind("brand")[0].data
    assert data == {"a": None, "b": "null", "c": "NO"}


def test_same_id_as_yaml_and_yml_is_an_error(content: ContentDir) -> None:
    content.write("links/open.yml", "kind: instant\n")
    problem = content.problem()
    assert problem.file == "content/links/open.yml"
    assert problem.message == ("'open' is defined twice (also content/links/open.yaml); "
                               "keep one file per id")


def test_non_yaml_file_among_links_is_an_error(content: ContentDir) -> None:
    content.write("links/notes.txt", "remember the passcodes\n")
    assert content.problem().message == "not a YAML file; files in links/ end in .yaml"


@pytest.mark.parametrize("leftover", ["links/open.yaml~", "links/#open.yaml#",
                                      "links/.open.yaml.swp", "links/open.yaml.swp",
                                      "links/open.yaml.orig", "buyers/aoyama.yaml.bak",
                                      "links/Thumbs.db"])
def test_an_editors_leftover_beside_a_file_is_no_content(
    content: ContentDir, leftover: str
) -> None:
    """An editor's backup or swap file, a merge tool's .orig: not read, and no error."""
    content.write(leftover, "kind: instant\nname: [broken\n")
    assert set(content.load().links) == {"open", "aoyama"}


def test_non_utf8_file_is_an_error(content: ContentDir) -> None:
    (content.root / "links/sjis.yaml").write_bytes("name: コート\n".encode("shift_jis"))
    problem = content.problem()
    assert problem.file == "content/links/sjis.yaml"
    assert problem.message.startswith("not UTF-8 text")
    assert problem.message.endswith("save the file as UTF-8")


def test_season_folder_without_season_file_is_an_error(content: ContentDir) -> None:
    (content.root / "seasons/aw27").mkdir()
    problem = content.problem()
    assert problem.file == "content/seasons/aw27"
    assert "season folder without season.yaml" in problem.message


def test_each_field_is_located_at_its_line_once_a_problem_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "brand.yaml").write_text(
        "name: Kinari\n"          # 1
        "contact:\n"              # 2
        "  email: a@b.c\n"        # 3
        "languages:\n"            # 4
        "  - en\n"                # 5
        "  - ja\n"                # 6
        "notes:\n"                # 7
        "  - text:\n"             # 8
        "      First\n"           # 9
        "    when: soon\n"        # 10
        "contact:\n"              # 11: a repeated key; its first value is the data's
        "  phone: 1\n",           # 12
        encoding="utf-8")
    composed = 0
    compose = yaml.compose_all

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal composed
        composed += 1
        return compose(*args, **kwargs)

    monkeypatch.setattr(yaml, "compose_all", counting)
    tree = read_content(tmp_path)
    entry = tree.of_kind("brand")[0]
    assert composed == 1  # read once; no line map made yet
    assert [p.line for p in tree.problems] == [11]
    assert entry.data["contact"] == {"email": "a@b.c"}
    located = {path: entry.line_of(path) for path in [
        (), ("name",), ("contact",), ("contact", "email"), ("contact", "phone"),
        ("languages", 1), ("notes", 0), ("notes", 0, "text"), ("notes", 0, "when"),
        ("notes", 0, "when", "at"), ("missing",)]}
    assert located == {
        (): 1, ("name",): 1, ("contact",): 2, ("contact", "email"): 3,
        ("contact", "phone"): 2, ("languages", 1): 6, ("notes", 0): 8,
        ("notes", 0, "text"): 8, ("notes", 0, "when"): 10, ("notes", 0, "when", "at"): 10,
        ("missing",): 1}
    assert composed == 2  # the file composed again once, for every line asked


def _seen(tree: ContentTree) -> tuple[object, ...]:
    """What a tree says: each entry (with a field's line) and each problem."""
    return (tuple((e.kind, e.ident, e.path, e.name, e.data, e.line_of(("name",)))
                  for e in tree.entries), tuple(tree.problems))


def test_content_read_apart_is_the_content_read_here(content: ContentDir) -> None:
    content.edit("links/open.yaml", "name: SS27 open\n", "name: SS27 open\nname: Again\n")
    apart, here = read_content_apart(content.root), read_content(content.root)
    assert _seen(apart) == _seen(here)
    assert len(apart.entries) > 5 and [p.line for p in apart.problems] == [3]


def test_readings_kept_for_a_watch_give_what_a_fresh_reading_gives(
    content: ContentDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(content_module, "_kept", None)
    keep_readings()
    read_content_apart(content.root)
    content.edit("seasons/ss27/products.yaml", "wsp: 21600", "wsp: 21700")
    content.edit("links/open.yaml", "name: SS27 open\n", "name: SS27 open\nname: Again\n")
    kept = read_content_apart(content.root)
    content.edit("seasons/ss27/products.yaml", "sizes: [S, M, L]", "sizes: [S, M, L]\n"
                 "    sizes: [XS]")  # a key twice in one style: its line must be found
    kept_again = read_content_apart(content.root)
    monkeypatch.setattr(content_module, "_kept", None)
    assert _seen(kept_again) == _seen(read_content(content.root))
    assert sorted({p.file.split("/", 1)[1] for p in kept_again.problems}) == [
        "links/open.yaml", "seasons/ss27/products.yaml"]
    products = next(entry for entry in kept.entries if entry.kind == "products")
    assert products.data["styles"][0]["prices"]["JPY"] == {"rrp": "48000", "wsp": "21700"}


def test_a_child_that_cannot_send_the_tree_leaves_the_reading_to_the_parent(
    content: ContentDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    dumps = marshal.dumps

    def failing_in_the_child(value: Any) -> bytes:
        if os.getpid() != parent:
            raise ValueError("cannot send")
        sent: bytes = dumps(value)
        return sent

    monkeypatch.setattr(marshal, "dumps", failing_in_the_child)
    assert _seen(read_content_apart(content.root)) == _seen(read_content(content.root))


def test_content_is_read_here_when_no_child_can_be_forked(
    content: ContentDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fork() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert _seen(read_content_apart(content.root)) == _seen(read_content(content.root))


@pytest.mark.parametrize(("base_url", "api_url", "refused"), [
    ("https://example.com", "http://api.example.com", True),
    ("https://example.com", "http://api.example.com:8000/orders", True),
    ("https://example.com", "https://api.example.com", False),
    ("https://example.com", "http://127.0.0.1:8000/api", False),  # browsers trust this machine
    ("https://example.com", "http://localhost:8000/api", False),
    ("http://127.0.0.1:8000", "http://api.example.com", False),  # no https page to block it
    ("https://example.com", "/api", False),
])
def test_an_endpoint_on_plain_http_behind_https_pages_is_refused(
    content: ContentDir, base_url: str, api_url: str, refused: bool
) -> None:
    content.edit("brand.yaml", "base_url: https://example.com\n",
                 f"base_url: {base_url}\napi_url: {api_url}\n")
    if not refused:
        assert content.load().brand.api_url.startswith(api_url)
        return
    problem = content.problem()
    assert (problem.file, problem.line, problem.field) == ("content/brand.yaml", 7, "api_url")
    assert problem.message == (f"'{api_url}' is plain http, and the pages are on https "
                               f"(base_url {base_url}): browsers block their calls to it; give "
                               "the endpoint's https:// address, or a path on the pages' host "
                               "such as /api")


@pytest.mark.parametrize(("api_url", "called"), [
    ("https://api.example.com", "https://api.example.com/api"),
    ("https://api.example.com/", "https://api.example.com/api"),
    ("https://api.example.com/api", "https://api.example.com/api"),
    ("https://example.com/orders/api", "https://example.com/orders/api"),  # a proxy's path
    ("/api", "/api"),
])
def test_the_endpoints_origin_alone_is_its_api_under_api(
    content: ContentDir, api_url: str, called: str
) -> None:
    """`linesheets api` serves its API under /api; an api_url of the endpoint's origin alone,
    as the docs describe it, had the pages call /links/… on it, which answered 404."""
    content.edit("brand.yaml", "base_url: https://example.com\n",
                 f"base_url: https://example.com\napi_url: {api_url}\n")
    assert content.load().brand.api_url == called
