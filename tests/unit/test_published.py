"""The endpoint's manifest: a clear error at start, new builds picked up, broken ones refused."""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from generator.catalog import Catalog
from generator.manifest import build_manifest, manifest_bytes
from generator.seal import STORE_VERSION, KeyStore
from generator.writer import write_private
from order_api.app import create_app
from order_api.published import PublishedSource, load_published
from order_api.settings import ApiConfigError
from tests.unit.conftest import ContentDir
from tests.unit.endpoint import PREVIEW_LINK, RELEASE, SECOND, FrozenClock, publish, settings_for

NOW = RELEASE + 3600 * SECOND


@pytest.fixture
def catalog(content: ContentDir) -> Catalog:
    content.write("links/preview.yaml", PREVIEW_LINK)
    return content.load()


def _manifest_with(catalog: Catalog, keys: KeyStore, release: str) -> bytes:
    """The manifest bytes of the scratch build with the preview link released at `release`."""
    manifest = build_manifest(catalog, {"preview": keys.current("preview"),
                                        "aoyama": keys.current("aoyama")})
    link = manifest.links["preview"].model_copy(
        update={"release_at": RELEASE.fromisoformat(release)})
    return manifest_bytes(manifest.model_copy(
        update={"links": manifest.links | {"preview": link}}))


def test_a_missing_manifest_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(ApiConfigError, match=r"cannot read the manifest .*linesheets build"):
        create_app(settings_for(tmp_path, FrozenClock(NOW)))


def test_a_broken_manifest_stops_the_start(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text('{"version": 1, "links": {}}')
    with pytest.raises(ApiConfigError, match=r"is not valid \(\d+ problems, first: brand: "):
        load_published(tmp_path / "manifest.json", tmp_path / "keys.json")


def test_the_sites_record_taken_for_the_manifest_is_named_as_such(content: ContentDir,
                                                                  tmp_path: Path) -> None:
    """public-manifest.json, beside the private folder, is the build's record of the site; a
    LINESHEETS_MANIFEST pointing at it was told to rebuild with this version, which does not
    help."""
    from datetime import UTC, datetime

    from generator.build import run
    from generator.settings import BuildSettings

    record = tmp_path / "public-manifest.json"
    run(BuildSettings(content=content.root, now=datetime(2026, 11, 27, tzinfo=UTC),
                      out=tmp_path / "public", private=tmp_path / "private",
                      cache=tmp_path / "cache", manifest=record))
    with pytest.raises(ApiConfigError) as refused:
        load_published(record, tmp_path / "private" / "keys.json")
    assert str(refused.value) == (
        f"'{record}' is the build's record of the public site (public-manifest.json), not the "
        "endpoint's manifest; point LINESHEETS_MANIFEST at the build's private/manifest.json "
        "(default build/private/manifest.json)")
    load_published(tmp_path / "private" / "manifest.json", tmp_path / "private" / "keys.json")


def test_the_key_store_and_the_manifest_given_for_each_other_are_named_as_such(
    catalog: Catalog, tmp_path: Path
) -> None:
    """The two files side by side in the private folder: given one for the other, the start
    was told to rebuild the manifest, or to restore the key store from a backup (deleting it
    makes new keys), neither of which is the fix."""
    publish(catalog, tmp_path)
    manifest, keys, record = (tmp_path / "manifest.json", tmp_path / "keys.json",
                              tmp_path / "public-manifest.json")
    with pytest.raises(ApiConfigError) as refused:
        load_published(keys, keys)
    assert str(refused.value) == (
        f"'{keys}' is the key store (private/keys.json), not the endpoint's manifest; point "
        "LINESHEETS_MANIFEST at the build's private/manifest.json (default "
        "build/private/manifest.json)")
    record.write_text('{"version": 3, "fingerprint": "x", "window": ["", ""], "files": {}}')
    for wrong, what in ((manifest, "the endpoint's manifest (private/manifest.json)"),
                        (record, "the build's record of the public site "
                                 "(public-manifest.json)")):
        with pytest.raises(ApiConfigError) as refused:
            load_published(manifest, wrong)
        assert str(refused.value) == (
            f"'{wrong}' is {what}, not the key store; point LINESHEETS_KEYS at the build's "
            "private/keys.json (default build/private/keys.json)")
    load_published(manifest, keys)


def test_a_manifest_naming_a_missing_key_stops_the_start(catalog: Catalog,
                                                        tmp_path: Path) -> None:
    publish(catalog, tmp_path)
    (tmp_path / "keys.json").unlink()
    with pytest.raises(ApiConfigError, match=r"keys\.json' does not exist; copy the keys\.json"):
        load_published(tmp_path / "manifest.json", tmp_path / "keys.json")


def test_a_key_store_without_the_manifests_key_stops_the_start(catalog: Catalog,
                                                              tmp_path: Path) -> None:
    publish(catalog, tmp_path)
    (tmp_path / "keys.json").write_text(json.dumps({"version": STORE_VERSION, "links": {}}))
    with pytest.raises(ApiConfigError, match="key version 1, which the key store"):
        load_published(tmp_path / "manifest.json", tmp_path / "keys.json")


def test_a_key_store_of_another_build_stops_the_start(catalog: Catalog,
                                                     tmp_path: Path) -> None:
    """Two builds each made their own keys (a CI build on a fresh checkout, say), so both
    stores hold version 1 of each key: the endpoint with the other build's keys.json released
    a key that opens none of the pages, and buyers who typed the right passcode saw nothing."""
    publish(catalog, tmp_path / "ours")
    publish(catalog, tmp_path / "theirs")
    manifest, keys = tmp_path / "ours" / "manifest.json", tmp_path / "theirs" / "keys.json"
    with pytest.raises(ApiConfigError) as refused:
        load_published(manifest, keys)
    assert str(refused.value) == (
        f"the key store '{keys}' holds another key for link 'aoyama' (version 1) than the one "
        f"its pages were sealed with in the manifest's build '{manifest}': buyers would unlock "
        "them and see nothing; copy the keys.json of the same build (keys first, manifest "
        "last)")
    load_published(manifest, tmp_path / "ours" / "keys.json")
    # A manifest of an earlier build has no check values: its keys are taken as they are.
    earlier = json.loads(manifest.read_bytes())
    for link in earlier["links"].values():
        del link["key_check"]
    manifest.write_text(json.dumps(earlier))
    assert load_published(manifest, keys).keys["aoyama"].version == 1


@pytest.mark.parametrize("text", ["[]", '"keys"', "3"])
def test_a_key_store_that_is_no_json_object_is_named(catalog: Catalog, tmp_path: Path,
                                                     text: str) -> None:
    publish(catalog, tmp_path)
    (tmp_path / "keys.json").write_text(text)
    with pytest.raises(ApiConfigError, match="it is not a key store \\(a JSON object"):
        load_published(tmp_path / "manifest.json", tmp_path / "keys.json")


def test_a_manifest_that_is_a_pipe_is_refused_not_read(catalog: Catalog,
                                                       tmp_path: Path) -> None:
    """Read, a pipe would wait for a writer forever; a device like /dev/zero never ends."""
    publish(catalog, tmp_path)
    pipe = tmp_path / "pipe.json"
    os.mkfifo(pipe)
    for manifest in (pipe, Path("/dev/zero")):
        with pytest.raises(ApiConfigError, match="is not a file; point LINESHEETS_MANIFEST"):
            load_published(manifest, tmp_path / "keys.json")
    (tmp_path / "keys.json").unlink()
    os.mkfifo(tmp_path / "keys.json")
    with pytest.raises(ApiConfigError, match=r"keys\.json is not a file"):
        load_published(tmp_path / "manifest.json", tmp_path / "keys.json")


def test_a_new_build_is_picked_up_and_a_broken_one_refused(
    catalog: Catalog, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    keys = publish(catalog, tmp_path)
    ticks = [0.0]
    source = PublishedSource(tmp_path / "manifest.json", tmp_path / "keys.json",
                             interval=1.0, monotonic=lambda: ticks[0])
    first = source.current()
    later = _manifest_with(catalog, keys, "2030-01-01T00:00:00+00:00")
    write_private(tmp_path / "manifest.json", later)
    assert source.current() is first  # checked at most once a second
    ticks[0] = 1.0
    second = source.current()
    assert second.manifest.links["preview"].release_at == RELEASE.fromisoformat(
        "2030-01-01T00:00:00+00:00")
    assert second.keys["preview"] == first.keys["preview"]

    (tmp_path / "manifest.json").write_bytes(later[: len(later) // 2])  # a half-copied file
    ticks[0] = 2.0
    with caplog.at_level(logging.ERROR, logger="order_api.published"):
        assert source.current() is second
        ticks[0] = 3.0
        assert source.current() is second
    assert len(caplog.records) == 1  # logged once, not at every check
    assert "kept the manifest loaded before" in caplog.records[0].getMessage()
    write_private(tmp_path / "manifest.json", later + b" ")
    ticks[0] = 4.0
    assert source.current() is not second


def test_a_reload_during_requests_never_serves_half_a_manifest(
    catalog: Catalog, tmp_path: Path
) -> None:
    keys = publish(catalog, tmp_path)
    clock = FrozenClock(NOW)
    # The same link in two builds: released (open now) and not yet released (upcoming now).
    builds = [_manifest_with(catalog, keys, "2027-01-01T00:00:00+00:00"),
              _manifest_with(catalog, keys, "2030-01-01T00:00:00+00:00")]
    write_private(tmp_path / "manifest.json", builds[0])
    app = create_app(settings_for(tmp_path, clock))  # reload_interval 0: a check per request
    answers: list[tuple[int, str]] = []

    def hammer() -> None:
        with TestClient(app) as client:
            for _ in range(400):
                answer = client.get("/api/links/preview")
                answers.append((answer.status_code, answer.json().get("state", answer.text)))

    thread = threading.Thread(target=hammer)
    thread.start()
    swaps = 0
    while thread.is_alive():
        data = builds[swaps % 2]
        if swaps % 5 == 4:  # now and then a copy in place, read half-written
            (tmp_path / "manifest.json").write_bytes(data[: len(data) // 3])
        write_private(tmp_path / "manifest.json", data)
        swaps += 1
    thread.join()
    assert len(answers) == 400 and swaps > 10
    assert {status for status, _ in answers} == {200}
    assert {state for _, state in answers} == {"open", "upcoming"}  # old or new, both seen
    with TestClient(app) as client:
        expected = "open" if swaps % 2 == 1 else "upcoming"
        assert client.get("/api/links/preview").json()["state"] == expected
