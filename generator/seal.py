"""Seal stage: the bodies of gated pages -> AES-256-GCM ciphertext, and the private key store.

A link with a passcode, a customer link or a link not yet released is published sealed: its
pages keep a readable shell and carry their body encrypted under the link's key, which only
the endpoint hands out (after the passcode, inside the window). Sealing is deterministic for
unchanged content: the nonce is derived from the key, its version, the page path and a hash of
the plaintext, so a rebuild writes the same bytes and one nonce never serves two plaintexts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import LinesheetsError
from generator.writer import write_private

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

STORE_VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12


class SealError(LinesheetsError):
    """The key store is unreadable, or a sealed body does not open under the key."""


@dataclass(frozen=True)
class LinkKey:
    """One version of a link's page key."""

    link: str
    version: int
    secret: bytes  # 32 random bytes: AES-256 key, and the HMAC key of the derived values

    @property
    def aad(self) -> bytes:
        """Associated data binding a ciphertext to its link and key version."""
        return f"{self.link}:{self.version}".encode()

    def derive(self, purpose: str, value: str, size: int) -> bytes:
        """A keyed, deterministic value (nonces, opaque URL segments, salts)."""
        message = f"{purpose}\0{self.version}\0{value}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).digest()[:size]

    @property
    def check(self) -> str:
        """A check value of the key, which does not reveal it: what the endpoint compares to
        tell the key the pages were sealed with from another key of the same version."""
        return self.derive("key-check", "", 8).hex()

    def opaque(self, value: str) -> str:
        """A URL segment that stands for a value without revealing it (sealed style pages)."""
        return base64.b32encode(self.derive("segment", value, 10)).decode().lower()


@dataclass(frozen=True)
class SealedBody:
    """A page body encrypted under a link key."""

    version: int
    nonce: bytes
    ciphertext: bytes  # includes the 16-byte GCM tag

    def to_json(self) -> str:
        """The payload a sealed page carries, decrypted in the browser with WebCrypto."""
        return json.dumps({"v": self.version, "iv": _b64(self.nonce),
                           "ct": _b64(self.ciphertext)}, separators=(",", ":"))


def seal_body(key: LinkKey, page_path: str, plaintext: bytes) -> SealedBody:
    """Encrypt a page body with AES-256-GCM; AAD is the link id and the key version."""
    digest = hashlib.sha256(plaintext).hexdigest()
    nonce = key.derive("nonce", f"{page_path}\0{digest}", NONCE_BYTES)
    return SealedBody(key.version, nonce, _cipher(key.secret).encrypt(nonce, plaintext, key.aad))


def open_body(key: LinkKey, sealed: SealedBody) -> bytes:
    """Decrypt a sealed body (the endpoint's round-trip tests; browsers do it with WebCrypto)."""
    from cryptography.exceptions import InvalidTag

    try:
        return _cipher(key.secret).decrypt(sealed.nonce, sealed.ciphertext, key.aad)
    except InvalidTag:
        raise SealError(f"the body does not open under the key of link '{key.link}' version "
                        f"{key.version}") from None


def load_cipher() -> None:
    """Import the cipher now: a build with sealed links calls this before it forks its render
    workers, so that they share the parent's copy instead of each importing their own."""
    _cipher(bytes(KEY_BYTES))


def _cipher(secret: bytes) -> AESGCM:
    # Imported on first use: a site without sealed links never loads `cryptography` (about
    # 6 MiB of a build's memory, and its import time).
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(secret)


@dataclass
class KeyStore:
    """build/private/keys.json: every link's key versions; created on the first build."""

    path: Path
    links: dict[str, dict[int, bytes]] = field(default_factory=dict)
    changed: bool = False

    @classmethod
    def load(cls, path: Path) -> KeyStore:
        """Read the key store; a missing file is an empty store, a damaged one an error."""
        if not path.exists():
            return cls(path)
        if not path.is_file():  # a pipe or a device would never end
            raise SealError(f"the key store {path} is not a file; restore keys.json from "
                            "your backup")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("it is not a key store (a JSON object with a version and "
                                 "links)")
            if data.get("version") != STORE_VERSION:
                raise ValueError(f"unknown version {data.get('version')!r}")
            links = {slug: {int(v): base64.b64decode(k, validate=True) for v, k in keys.items()}
                     for slug, keys in data["links"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise SealError(f"cannot read the key store {path}: {exc}; restore it from your "
                            "backup (deleting it makes new keys, and buyers must unlock "
                            "again)") from None
        if any(len(k) != KEY_BYTES for keys in links.values() for k in keys.values()):
            raise SealError(f"the key store {path} holds a key that is not {KEY_BYTES} bytes")
        return cls(path, links)

    def current(self, link: str) -> LinkKey:
        """The link's newest key, made now if the link has none."""
        versions = self.links.get(link)
        if not versions:
            return self.rotate(link)
        version = max(versions)
        return LinkKey(link, version, versions[version])

    def get(self, link: str, version: int) -> LinkKey | None:
        """A given version of a link's key, if the store has it."""
        secret = self.links.get(link, {}).get(version)
        return LinkKey(link, version, secret) if secret is not None else None

    def require(self, links: Iterable[str]) -> None:
        """Refuse, naming them, links that have no key yet: a build that must not make keys
        (`build --no-new-keys`, a CI build with the brand's key store restored) stops before
        it seals a page under a key that the endpoint and the next build would not have."""
        missing = sorted(link for link in links if not self.links.get(link))
        if missing:
            raise SealError(
                f"link{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"{'have' if len(missing) > 1 else 'has'} no page key in {self.path}, and "
                "--no-new-keys lets the build make none; restore the brand's keys.json there "
                "(a copy of the build/private/keys.json of the build the endpoint runs), or "
                "build once without --no-new-keys and keep the keys.json it writes")

    def rotate(self, link: str) -> LinkKey:
        """Make a new key version for a link; pages sealed from now on use it."""
        versions = self.links.setdefault(link, {})
        version = max(versions, default=0) + 1
        versions[version] = secrets.token_bytes(KEY_BYTES)
        self.changed = True
        return LinkKey(link, version, versions[version])

    def digest(self) -> bytes:
        """A hash of every key version, so a build can tell that keys changed."""
        state = sorted((slug, version, secret) for slug, keys in self.links.items()
                       for version, secret in keys.items())
        return hashlib.sha256(repr(state).encode()).digest()

    def save(self) -> None:
        """Write the store if it changed (owner-only permissions, atomic replace)."""
        if not self.changed:
            return
        write_private(self.path, self._bytes())
        self.changed = False

    def stored_bytes(self) -> bytes:
        """The bytes of the store's file once `save` has run (empty when there is none), so
        a build's fingerprint matches the store the next build reads."""
        if self.changed:
            return self._bytes()
        return self.path.read_bytes() if self.path.is_file() else b""

    def _bytes(self) -> bytes:
        data = {"version": STORE_VERSION, "links": {
            slug: {str(v): _b64(k) for v, k in sorted(keys.items())}
            for slug, keys in sorted(self.links.items())}}
        return (json.dumps(data, indent=1) + "\n").encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
