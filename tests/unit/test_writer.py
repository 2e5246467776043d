"""The writer: atomic writes, unchanged files skipped, stale files removed, hand-made files kept."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.errors import LinesheetsError, PlanError
from generator.writer import (
    Entry,
    OutputFile,
    _record,
    all_intact,
    intact_paths,
    read_entries,
    read_manifest,
    staging_folder,
    write_site,
)


def _site(**files: str) -> list[OutputFile]:
    return [OutputFile(path.replace("__", "/"), text.encode()) for path, text in files.items()]


def test_first_write_writes_every_file(tmp_path: Path) -> None:
    out, manifest = tmp_path / "public", tmp_path / "build/manifest.json"
    report = write_site(_site(index__html="a", l__x__index__html="b"), out, manifest)
    assert report.written == ("index/html", "l/x/index/html")
    assert (out / "l/x/index/html").read_text() == "b"
    assert manifest.is_file()


def test_rebuild_without_change_writes_nothing(tmp_path: Path) -> None:
    out, manifest = tmp_path / "public", tmp_path / "manifest.json"
    write_site(_site(a="1", b="2"), out, manifest)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    report = write_site(_site(a="1", b="2"), out, manifest)
    assert (report.written, report.unchanged, report.removed) == ((), 2, ())
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


def test_changed_file_is_rewritten_and_stale_file_removed(tmp_path: Path) -> None:
    out, manifest = tmp_path / "public", tmp_path / "manifest.json"
    write_site(_site(a="1", old__deep__page="x"), out, manifest)
    (out / "brand-upload.txt").write_text("the brand's own file")
    report = write_site(_site(a="2"), out, manifest)
    assert report.written == ("a",)
    assert report.removed == ("old/deep/page",)
    assert not (out / "old").exists()
    assert (out / "brand-upload.txt").read_text() == "the brand's own file"


def test_a_file_edited_on_disk_is_restored(tmp_path: Path) -> None:
    out, manifest = tmp_path / "public", tmp_path / "manifest.json"
    write_site(_site(a="1"), out, manifest)
    (out / "a").write_text("tampered")
    assert write_site(_site(a="1"), out, manifest).written == ("a",)
    assert (out / "a").read_text() == "1"


def test_no_temporary_files_are_left(tmp_path: Path) -> None:
    out, manifest = tmp_path / "public", tmp_path / "manifest.json"
    write_site(_site(a="1", b__c="2"), out, manifest)
    assert sorted(p.name for p in out.rglob(".*")) == []


def test_two_files_on_one_path_and_escaping_paths_are_refused(tmp_path: Path) -> None:
    out, manifest = tmp_path / "public", tmp_path / "manifest.json"
    with pytest.raises(PlanError, match="two files claim 'a'"):
        write_site([OutputFile("a", b"1"), OutputFile("a", b"2")], out, manifest)
    with pytest.raises(PlanError, match="not inside the output folder"):
        write_site([OutputFile("../etc/passwd", b"x")], out, manifest)


def test_a_corrupt_manifest_means_a_full_write(tmp_path: Path) -> None:
    out, manifest = tmp_path / "public", tmp_path / "manifest.json"
    write_site(_site(a="1"), out, manifest)
    manifest.write_text("{not json")
    assert write_site(_site(a="1"), out, manifest).written == ("a",)


@pytest.mark.parametrize("change", ["none", "edited", "removed", "folder gone"])
def test_all_intact_tells_whether_the_last_build_is_on_disk_as_written(
    tmp_path: Path, change: str
) -> None:
    out, manifest = tmp_path / "public", tmp_path / "manifest.json"
    write_site(_site(a="1", b__c__index_html="2"), out, manifest)
    if change == "edited":
        (out / "b/c/index_html").write_text("3")  # same size, a new modification time
    elif change == "removed":
        (out / "b/c/index_html").unlink()
    elif change == "folder gone":
        shutil.rmtree(out)
    assert all_intact(out, read_entries(manifest)) is (change == "none")


def test_a_manifest_entry_of_another_shape_reads_as_a_file_to_write(tmp_path: Path) -> None:
    out, manifest = tmp_path / "public", tmp_path / "manifest.json"
    write_site(_site(a="1"), out, manifest)
    stored = json.loads(manifest.read_text())
    stored["files"]["a"] = ["only a digest"]
    manifest.write_text(json.dumps(stored))
    assert not all_intact(out, read_manifest(manifest).stored)
    assert read_manifest(manifest).files == {}  # as a first build: every file written again
    assert write_site(_site(a="1"), out, manifest).unchanged == 0


def test_a_file_that_cannot_be_put_in_place_is_an_error_that_names_it(tmp_path: Path) -> None:
    out, manifest = tmp_path / "public", tmp_path / "manifest.json"
    (out / "a").mkdir(parents=True)
    (out / "a" / "kept.txt").write_text("the brand's")  # a folder where the file goes
    with pytest.raises(LinesheetsError, match=f"cannot write '{out}/a'"):
        write_site(_site(a="1"), out, manifest)
    assert sorted(p.name for p in out.rglob("*")) == ["a", "kept.txt"]  # no temporary left


def test_changed_files_are_renamed_from_the_open_folder(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the system renames relative to a folder (renameat), each rename names the files
    from the open output folder, not from the root."""
    if os.rename not in os.supports_dir_fd:
        pytest.skip("this system has no renameat")
    calls: list[tuple[str, str, dict[str, object]]] = []
    real = os.replace

    def replace(source: str, target: str, **folders: object) -> None:
        calls.append((source, target, folders))
        real(source, target, **folders)  # type: ignore[arg-type]  # dir_fd: int | None

    monkeypatch.setattr(os, "replace", replace)
    out, manifest = tmp_path / "public", tmp_path / "manifest.json"
    write_site(_site(a="1", l__x__index__html="2"), out, manifest)
    pages = [(source, target, folders) for source, target, folders in calls
             if str(target) != str(manifest)]  # the manifest is written on its own
    assert [(target, set(folders)) for _source, target, folders in pages] == [
        ("a", {"src_dir_fd", "dst_dir_fd"}), ("l/x/index/html", {"src_dir_fd", "dst_dir_fd"})]
    assert all(not str(source).startswith("/") for source, _target, _folders in pages)
    assert (out / "l/x/index/html").read_text() == "2"


def test_intact_paths_names_the_files_still_as_written(tmp_path: Path) -> None:
    out, manifest = tmp_path / "public", tmp_path / "manifest.json"
    write_site(_site(a="1", b="2", c__d="3"), out, manifest)
    (out / "b").write_text("x")
    (out / "c/d").unlink()
    assert intact_paths(out, read_entries(manifest)) == {"a"}
    assert intact_paths(tmp_path / "no-such-folder", read_entries(manifest)) == set()


def test_a_site_for_a_new_folder_is_staged_beside_it_and_put_in_place_whole(
        tmp_path: Path) -> None:
    out, manifest = tmp_path / "public", tmp_path / "build/manifest.json"
    staging = staging_folder(out)
    assert staging is not None and staging.parent == tmp_path and staging.name != out.name
    report = write_site(_site(index__html="a", l__x__index__html="b"), out, manifest,
                        staging=staging)
    assert report.written == ("index/html", "l/x/index/html")
    assert (out / "l/x/index/html").read_text() == "b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "public"]  # nothing else
    # The next write finds the folder, and goes file by file.
    assert staging_folder(out) is None
    again = write_site(_site(index__html="a", l__x__index__html="c"), out, manifest)
    assert (again.written, again.unchanged) == (("l/x/index/html",), 1)


def test_a_folder_made_while_its_site_was_staged_stops_the_write(tmp_path: Path) -> None:
    """Someone else's files are never replaced: the staged site is dropped, with a message."""
    out, manifest = tmp_path / "public", tmp_path / "build/manifest.json"
    staging = staging_folder(out)
    assert staging is not None
    (out / "theirs").mkdir(parents=True)
    (out / "theirs" / "file.txt").write_text("mine")
    with pytest.raises(LinesheetsError, match=r"cannot put the site in place at .*public"):
        write_site(_site(a="1"), out, manifest, staging=staging)
    assert not staging.exists()
    assert (out / "theirs" / "file.txt").read_text() == "mine"
    assert not manifest.exists()


def test_the_manifest_just_written_is_read_back_from_memory_while_it_stands(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out, manifest = tmp_path / "public", tmp_path / "manifest.json"
    write_site(_site(a="1", b="2"), out, manifest, fingerprint="f1", window=("", "2027"),
               inputs={"a": "key-a"})
    kept = read_manifest(manifest)
    assert read_manifest(manifest) is kept
    monkeypatch.setattr(_record, "_last", None)  # as another process reads the file
    from_file = read_manifest(manifest)
    assert from_file is not kept
    assert (kept.fingerprint, kept.window, kept.files) == (
        from_file.fingerprint, from_file.window, from_file.files)
    assert {path: list(entry) for path, entry in kept.stored.items()} == dict(from_file.stored)
    # Written again by someone else: the file is read, not the kept manifest.
    write_site(_site(a="1"), out, manifest, fingerprint="f2")
    kept = read_manifest(manifest)
    data = json.loads(manifest.read_text())
    data["fingerprint"] = "edited"
    manifest.write_text(json.dumps(data))
    assert read_manifest(manifest).fingerprint == "edited"
    manifest.unlink()
    assert read_manifest(manifest).files == {}


def test_manifest_lines_kept_between_writes_give_the_same_bytes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rounds = [
        {"a": Entry("d1", 1, 10, ""), "l/é/x.html": Entry("d2", 2, 20, "k2"),
         'l/"q"/x.html': Entry("d3", 3, 30, "")},
        {"a": Entry("d1", 1, 11, ""), "l/é/x.html": Entry("d2", 2, 20, "k2"),
         "b": Entry("d4", 4, 40, "")},  # one changed, one gone, one new
        {"a": Entry("d1", 1, 11, "")},
    ]
    kept: dict[str, Any] = {}
    for entries in rounds:
        monkeypatch.setattr(_record, "_lines", kept)
        with_lines = _record._manifest_bytes(entries, 'f"1', ("", "2027"), {"a": "key-a"}, 7)
        monkeypatch.setattr(_record, "_lines", None)
        plain = _record._manifest_bytes(entries, 'f"1', ("", "2027"), {"a": "key-a"}, 7)
        assert with_lines == plain and json.loads(plain)["files"]["a"][3] == "key-a"
        assert sorted(kept) == sorted(entries)
