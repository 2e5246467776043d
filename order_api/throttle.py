"""Unlock throttling: (link, client address) x time -> admit a passcode try, or a wait.

Two buckets per try, one for the client on that link and one for the link overall (several
clients guessing together). A bucket counts wrong passcodes: the first few are free, then each
one doubles a wait (1 s, 2 s, 4 s ... capped at minutes), so the right passcode always works
again after the wait: there is no permanent lockout. A quiet spell without a wrong passcode
forgives the count, and the right passcode clears the client's at once. Throttled tries are
answered before any passcode is verified, so they cost nothing.

In memory for one process; issue #8 moves the buckets into the database for several
instances behind the same `Throttle` interface.
"""

from __future__ import annotations

import ipaddress
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many wrong passcodes a bucket lets through, and how its wait grows past them."""

    free: int = 5  # wrong passcodes without a wait
    first_wait: float = 1.0  # the wait after the last free one; it doubles with each miss
    max_wait: float = 300.0
    forgive_after: float = 900.0  # this long without a miss (after the wait) clears the count


CLIENT_POLICY = ThrottlePolicy()
# Generous enough that many buyers mistyping on one popular link never block each other,
# tight enough to slow a guessing attack spread over many addresses.
LINK_POLICY = ThrottlePolicy(free=30, max_wait=60.0, forgive_after=300.0)


class Throttle(Protocol):
    """Admits passcode tries; `settle` must follow every admitted try."""

    def admit(self, link: str, client: str, now: float) -> float:
        """Admit a try (0.0) or return the seconds to wait; an admitted try is pending."""
        ...

    def settle(self, link: str, client: str, ok: bool, now: float) -> None:
        """Record a pending try's outcome: a miss fills the buckets, a hit empties the client's."""
        ...


@dataclass
class _Bucket:
    misses: int = 0  # wrong passcodes since the count was last cleared
    pending: int = 0  # admitted tries whose verification has not finished
    blocked_until: float = 0.0
    last_miss: float = 0.0

    def forgive(self, policy: ThrottlePolicy, now: float) -> None:
        quiet_since = max(self.last_miss, self.blocked_until)
        if self.misses and now >= quiet_since + policy.forgive_after:
            self.misses, self.blocked_until = 0, 0.0

    def wait(self, policy: ThrottlePolicy, now: float) -> float:
        if now < self.blocked_until:
            return self.blocked_until - now
        # Tries in flight count before they finish, so a burst cannot outrun the free ones;
        # past them, one try at a time.
        if self.misses + self.pending < policy.free or self.pending == 0:
            return 0.0
        return policy.first_wait

    def miss(self, policy: ThrottlePolicy, now: float) -> None:
        self.misses += 1
        self.last_miss = now
        if self.misses >= policy.free:
            wait = policy.first_wait * 2.0 ** min(self.misses - policy.free, 32)
            self.blocked_until = now + min(wait, policy.max_wait)

    @property
    def idle(self) -> bool:
        return self.misses == 0 and self.pending == 0


BucketPair = tuple[tuple[_Bucket, ThrottlePolicy], tuple[_Bucket, ThrottlePolicy]]


def admit_try(pair: BucketPair, now: float) -> float:
    """The rule of `Throttle.admit` on the client's and the link's buckets, wherever they
    are kept: the longer wait of the two, or 0.0 with the try counted as pending in both."""
    wait = max(bucket.wait(policy, now) for bucket, policy in pair)
    if wait == 0.0:
        for bucket, _ in pair:
            bucket.pending += 1
    return wait


def settle_try(pair: BucketPair, ok: bool, now: float) -> None:
    """The rule of `Throttle.settle`: a miss fills both buckets, a hit empties the client's."""
    (mine, client_policy), (shared, link_policy) = pair
    mine.pending = max(0, mine.pending - 1)
    shared.pending = max(0, shared.pending - 1)
    if ok:
        mine.misses, mine.blocked_until = 0, 0.0
    else:
        mine.miss(client_policy, now)
        shared.miss(link_policy, now)


class MemoryThrottle:
    """The Throttle of one process; at most `capacity` buckets, the least recently used go."""

    def __init__(self, client: ThrottlePolicy = CLIENT_POLICY,
                 link: ThrottlePolicy = LINK_POLICY, capacity: int = 65_536) -> None:
        self.client_policy, self.link_policy, self.capacity = client, link, capacity
        self._buckets: OrderedDict[tuple[str, str], _Bucket] = OrderedDict()
        self._lock = threading.Lock()
        self._now = 0.0

    def admit(self, link: str, client: str, now: float) -> float:
        """Admit a try (0.0) or return the seconds to wait; an admitted try is pending."""
        with self._lock:
            now = self._monotonic(now)
            return admit_try(self._pair(link, client, now), now)

    def settle(self, link: str, client: str, ok: bool, now: float) -> None:
        """Record a pending try's outcome: a miss fills the buckets, a hit empties the client's."""
        with self._lock:
            now = self._monotonic(now)
            settle_try(self._pair(link, client, now), ok, now)
            self._forget_idle(link, client)

    def _monotonic(self, now: float) -> float:
        # A wall clock stepped back must not shorten or stretch a wait.
        self._now = max(self._now, now)
        return self._now

    def _pair(self, link: str, client: str, now: float) -> BucketPair:
        return ((self._bucket(f"{link}\0{client}", "client", now, self.client_policy),
                 self.client_policy),
                (self._bucket(link, "link", now, self.link_policy), self.link_policy))

    def _bucket(self, name: str, kind: str, now: float, policy: ThrottlePolicy) -> _Bucket:
        key = (kind, name)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket()
            while len(self._buckets) > self.capacity:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
        bucket.forgive(policy, now)
        return bucket

    def _forget_idle(self, link: str, client: str) -> None:
        for key in (("client", f"{link}\0{client}"), ("link", link)):
            bucket = self._buckets.get(key)
            if bucket is not None and bucket.idle and bucket.blocked_until <= self._now:
                del self._buckets[key]


_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")


def link_name(slug: str) -> str:
    """The throttling identity of a requested link: its slug, or one name for every string
    that cannot be a slug (so junk paths share a bucket and cannot grow the table's bytes)."""
    return slug if _SLUG.fullmatch(slug) else "(not a slug)"


def client_address(host: str | None) -> str:
    """The throttling identity of a client: its IPv4 address, or its IPv6 /64 network.

    One IPv6 subscriber usually holds a whole /64, so single addresses would be free to rotate.
    """
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
