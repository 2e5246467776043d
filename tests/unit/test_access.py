"""Access rules without a server: link states at the window's edges, tokens, throttling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from generator.manifest import Manifest, build_manifest
from generator.passcode import hash_passcode
from generator.state import link_state
from order_api.access import (
    TOKEN_LIFETIME,
    TokenError,
    _dummy_hash,
    check_passcode,
    describe_link,
    sign_token,
    token_expiry,
    unlock_state,
    verify_token,
)
from order_api.throttle import MemoryThrottle, ThrottlePolicy, client_address, link_name
from tests.unit.conftest import ContentDir
from tests.unit.endpoint import (
    EXPIRY,
    PREVIEW_LINK,
    RELEASE,
    SECOND,
    SECRET,
    count_verifications,
)

DEADLINE = datetime(2027, 1, 31, 9, 0, tzinfo=UTC)  # ss27: 2027-01-31T18:00 in Asia/Tokyo


@pytest.fixture
def manifest(content: ContentDir) -> Manifest:
    content.write("links/preview.yaml", PREVIEW_LINK)
    return build_manifest(content.load(), {})


@pytest.mark.parametrize(("moment", "state"), [
    (RELEASE - SECOND, "upcoming"), (RELEASE, "open"), (RELEASE + SECOND, "open"),
    (EXPIRY - SECOND, "open"), (EXPIRY, "expired"), (EXPIRY + SECOND, "expired"),
])
def test_state_at_the_edges_of_the_window(manifest: Manifest, moment: datetime,
                                          state: str) -> None:
    status = describe_link(manifest.links["preview"], manifest.seasons, moment)
    assert status.state == state
    assert status.server_time == moment
    assert (status.window.release_at, status.window.expires_at) == (RELEASE, EXPIRY)
    refused = unlock_state(manifest.links["preview"], manifest.seasons, moment)
    assert refused == (None if state == "open" else state)


@pytest.mark.parametrize("moment", [RELEASE - SECOND, RELEASE, EXPIRY - SECOND, EXPIRY,
                                    DEADLINE - SECOND, DEADLINE])
def test_the_build_and_the_endpoint_share_one_state(content: ContentDir,
                                                    moment: datetime) -> None:
    content.write("links/preview.yaml", PREVIEW_LINK)
    catalog = content.load()
    manifest = build_manifest(catalog, {})
    for slug in catalog.links:
        assert link_state(catalog.offer(slug), catalog.seasons, moment) == link_state(
            manifest.links[slug], manifest.seasons, moment)


def test_a_season_is_orderable_until_its_deadline(manifest: Manifest) -> None:
    link = manifest.links["open"]
    before = describe_link(link, manifest.seasons, DEADLINE - SECOND)
    after = describe_link(link, manifest.seasons, DEADLINE)
    assert (before.state, before.seasons[0].orderable) == ("open", True)
    assert before.seasons[0].order_deadline == DEADLINE
    assert (after.state, after.seasons[0].orderable) == ("view_only", False)


def test_no_season_is_orderable_before_release(manifest: Manifest) -> None:
    status = describe_link(manifest.links["preview"], manifest.seasons, RELEASE - SECOND)
    assert [season.orderable for season in status.seasons] == [False]


def test_an_unknown_link_runs_scrypt_and_fails(monkeypatch: pytest.MonkeyPatch,
                                               manifest: Manifest) -> None:
    verified = count_verifications(monkeypatch)
    assert not check_passcode(None, "preview-pass")
    assert not check_passcode(manifest.links["preview"], "wrong")
    assert check_passcode(manifest.links["preview"], "preview-pass")
    assert verified == ["preview-pass", "wrong", "preview-pass"]


def test_the_dummy_hash_costs_what_a_real_one_does() -> None:
    assert _dummy_hash().split("$")[:4] == hash_passcode("any").split("$")[:4]


# Tokens

NOW = datetime(2027, 1, 12, tzinfo=UTC)


def test_a_token_verifies_for_its_link_until_it_expires() -> None:
    token = sign_token(SECRET, "preview", 3, NOW + timedelta(hours=1))
    claims = verify_token(SECRET, token, link="preview", key_version=3, now=NOW)
    assert (claims.link, claims.key_version, claims.expires_at) == (
        "preview", 3, NOW + timedelta(hours=1))
    assert verify_token(SECRET, token, link="preview", key_version=None,
                        now=NOW + timedelta(hours=1) - SECOND).key_version == 3


@pytest.mark.parametrize(("token", "reason"), [
    ("", "malformed"), ("v1.abc", "malformed"), ("v2.a.b", "malformed"),
    ("v1.a.b.c", "malformed"),
])
def test_a_malformed_token_is_refused(token: str, reason: str) -> None:
    with pytest.raises(TokenError) as caught:
        verify_token(SECRET, token, link="preview", key_version=3, now=NOW)
    assert caught.value.reason == reason


def _tampered(token: str, part: int) -> str:
    parts = token.split(".")
    text = parts[part]
    parts[part] = text[:5] + ("A" if text[5] != "A" else "B") + text[6:]
    return ".".join(parts)


def test_a_tampered_token_is_refused() -> None:
    token = sign_token(SECRET, "preview", 3, NOW + timedelta(hours=1))
    for forged in (_tampered(token, 1), _tampered(token, 2), token + "x", token[:-1]):
        with pytest.raises(TokenError) as caught:
            verify_token(SECRET, forged, link="preview", key_version=3, now=NOW)
        assert caught.value.reason == "signature"
    with pytest.raises(TokenError, match="signature"):
        verify_token(b"another secret of thirty-two bytes", token, link="preview",
                     key_version=3, now=NOW)


def test_an_expired_token_is_refused() -> None:
    token = sign_token(SECRET, "preview", 3, NOW)
    with pytest.raises(TokenError) as caught:
        verify_token(SECRET, token, link="preview", key_version=3, now=NOW)
    assert caught.value.reason == "expired"
    assert "unlock the link again" in str(caught.value)


def test_another_links_token_is_refused() -> None:
    token = sign_token(SECRET, "preview", 3, NOW + timedelta(hours=1))
    with pytest.raises(TokenError) as caught:
        verify_token(SECRET, token, link="open", key_version=3, now=NOW)
    assert caught.value.reason == "other-link"


def test_a_token_of_a_rotated_key_is_refused() -> None:
    token = sign_token(SECRET, "preview", 3, NOW + timedelta(hours=1))
    with pytest.raises(TokenError) as caught:
        verify_token(SECRET, token, link="preview", key_version=4, now=NOW)
    assert caught.value.reason == "stale-key"


def test_a_token_lives_12_hours_and_never_past_its_link(manifest: Manifest) -> None:
    moment = datetime(2027, 1, 12, 3, 4, 5, 600_000, tzinfo=UTC)
    assert token_expiry(manifest.links["open"], moment) == moment.replace(
        microsecond=0) + TOKEN_LIFETIME
    assert token_expiry(manifest.links["preview"], EXPIRY - SECOND) == EXPIRY
    assert token_expiry(manifest.links["preview"], EXPIRY - 13 * 3600 * SECOND) == (
        EXPIRY - 3600 * SECOND)


# Throttling

def _misses(throttle: MemoryThrottle, count: int, now: float, client: str = "a") -> None:
    for _ in range(count):
        assert throttle.admit("link", client, now) == 0.0
        throttle.settle("link", client, False, now)


def test_five_free_tries_then_a_doubling_wait() -> None:
    throttle = MemoryThrottle()
    _misses(throttle, 5, 1000.0)
    assert throttle.admit("link", "a", 1000.0) == 1.0
    waits = []
    now = 1000.0
    for _ in range(12):
        now += throttle.admit("link", "a", now)
        _misses(throttle, 1, now)
        waits.append(throttle.admit("link", "a", now))
    assert waits[:8] == [2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0]
    assert waits[8:] == [300.0] * 4  # capped: never a permanent lockout


def test_the_right_passcode_after_the_wait_resets_the_client() -> None:
    throttle = MemoryThrottle()
    _misses(throttle, 5, 0.0)
    wait = throttle.admit("link", "a", 0.0)
    assert wait > 0
    assert throttle.admit("link", "a", wait) == 0.0
    throttle.settle("link", "a", True, wait)
    _misses(throttle, 5, wait)  # five free tries again


def test_a_quiet_spell_forgives_the_count() -> None:
    def after_six_misses() -> MemoryThrottle:
        throttle = MemoryThrottle()
        _misses(throttle, 5, 0.0)
        _misses(throttle, 1, 1.0)  # after the 1 s wait: the next wait is 2 s, until 3.0
        return throttle

    counted = after_six_misses()
    _misses(counted, 1, 3.0 + 899.0)
    assert counted.admit("link", "a", 902.0) == 4.0
    forgiven = after_six_misses()
    _misses(forgiven, 4, 3.0 + 900.0)  # fifteen quiet minutes: free tries again


def test_one_clients_misses_do_not_throttle_another() -> None:
    throttle = MemoryThrottle()
    _misses(throttle, 5, 0.0, client="a")
    assert throttle.admit("link", "a", 0.0) > 0
    assert throttle.admit("link", "b", 0.0) == 0.0


def test_many_clients_together_throttle_the_link() -> None:
    throttle = MemoryThrottle(link=ThrottlePolicy(free=30, max_wait=60.0))
    for client in range(15):
        _misses(throttle, 2, 0.0, client=str(client))
    assert throttle.admit("link", "fresh", 0.0) > 0
    assert throttle.admit("other-link", "fresh", 0.0) == 0.0


def test_concurrent_tries_cannot_outrun_the_quota() -> None:
    throttle = MemoryThrottle()
    admitted = sum(throttle.admit("link", "a", 0.0) == 0.0 for _ in range(100))
    assert admitted == 5


def test_a_clock_stepped_back_does_not_lift_a_wait() -> None:
    throttle = MemoryThrottle()
    _misses(throttle, 5, 1000.0)
    assert throttle.admit("link", "a", 500.0) == 1.0


def test_the_table_stays_bounded() -> None:
    throttle = MemoryThrottle(capacity=10)
    for client in range(100):
        assert throttle.admit(f"link-{client}", "a", 0.0) == 0.0
        throttle.settle(f"link-{client}", "a", False, 0.0)
    assert len(throttle._buckets) == 10


def test_a_link_is_its_slug_and_junk_shares_one_name() -> None:
    assert link_name("ss27-open") == "ss27-open"
    assert link_name("x" * 5000) == link_name("../etc") == "(not a slug)"


@pytest.mark.parametrize(("host", "identity"), [
    ("192.0.2.1", "192.0.2.1"), ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("::ffff:192.0.2.1", "192.0.2.1"), (None, "unknown"), ("testclient", "testclient"),
])
def test_a_client_is_its_address_or_ipv6_network(host: str | None, identity: str) -> None:
    assert client_address(host) == identity
