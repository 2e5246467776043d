"""Endpoint settings from the environment, and `linesheets api` refusing bad ones up front."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from generator.cli import main
from order_api.settings import ApiConfigError, ApiSettings

SECRET = "s" * 40


def test_settings_come_from_the_environment() -> None:
    settings = ApiSettings.from_environment({
        "LINESHEETS_TOKEN_SECRET": SECRET, "LINESHEETS_MANIFEST": "/srv/m.json",
        "LINESHEETS_KEYS": "/srv/k.json", "LINESHEETS_SITE_ORIGIN": "https://order.example.com",
        "DATABASE_URL": "postgresql://db/orders"})
    assert (settings.manifest, settings.keys) == (Path("/srv/m.json"), Path("/srv/k.json"))
    assert settings.token_secret == SECRET.encode()
    assert settings.site_origin == "https://order.example.com"
    assert settings.database_url == "postgresql://db/orders"
    assert SECRET not in repr(settings)


def test_defaults_point_at_the_build() -> None:
    settings = ApiSettings.from_environment({"LINESHEETS_TOKEN_SECRET": SECRET})
    assert settings.manifest == Path("build/private/manifest.json")
    assert settings.keys == Path("build/private/keys.json")
    assert (settings.site_origin, settings.database_url) == (None, None)


@pytest.mark.parametrize(("environ", "message"), [
    ({}, "LINESHEETS_TOKEN_SECRET is not set"),
    ({"LINESHEETS_TOKEN_SECRET": "short"}, "has 5 bytes; it needs at least 32"),
    ({"LINESHEETS_TOKEN_SECRET": SECRET, "LINESHEETS_SITE_ORIGIN": "https://example.com/"},
     "'https://example.com/', which is not an origin"),
    ({"LINESHEETS_TOKEN_SECRET": SECRET, "LINESHEETS_SITE_ORIGIN": "example.com"},
     "'example.com', which is not an origin"),
    ({"LINESHEETS_TOKEN_SECRET": SECRET, "LINESHEETS_SITE_ORIGIN": "https://[::1"},
     "'https://\\[::1': its host is not a host name"),
    ({"LINESHEETS_TOKEN_SECRET": SECRET, "LINESHEETS_SITE_ORIGIN": "https://x.example:abc"},
     "it has a port that is not a number"),
    ({"LINESHEETS_TOKEN_SECRET": SECRET, "LINESHEETS_SITE_ORIGIN": "https://u:hunter2@x.example"},
     "'https://u:…@x.example', which is not an origin"),
])
def test_bad_settings_are_refused(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ApiConfigError, match=message) as refused:
        ApiSettings.from_environment(environ)
    assert "hunter2" not in str(refused.value)


def test_empty_paths_mean_the_defaults() -> None:
    settings = ApiSettings.from_environment({"LINESHEETS_TOKEN_SECRET": SECRET,
                                             "LINESHEETS_MANIFEST": "", "LINESHEETS_KEYS": ""})
    assert settings.manifest == Path("build/private/manifest.json")
    assert settings.keys == Path("build/private/keys.json")


def test_local_settings_make_a_fresh_secret(tmp_path: Path) -> None:
    first, second = ApiSettings.for_local(tmp_path), ApiSettings.for_local(tmp_path)
    assert len(first.token_secret) >= 32 and first.token_secret != second.token_secret
    assert first.manifest == tmp_path / "manifest.json"


def test_api_command_refuses_a_missing_secret(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("LINESHEETS_TOKEN_SECRET", raising=False)
    assert main(["api"]) == 1
    assert capsys.readouterr().err.startswith("error: LINESHEETS_TOKEN_SECRET is not set")


def test_api_command_refuses_a_missing_manifest(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    monkeypatch.setenv("LINESHEETS_TOKEN_SECRET", SECRET)
    monkeypatch.setenv("LINESHEETS_MANIFEST", str(tmp_path / "manifest.json"))
    assert main(["api", "--port", "8123"]) == 1
    assert "cannot read the manifest" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["api", "--port", "0"], ["api", "--workers", "0"],
                                  ["serve", "--port", "http"], ["api", "--port", "\u00b2"],
                                  ["api", "--workers", "\u00b2"]])
def test_bad_ports_and_worker_counts_are_usage_errors(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2


@pytest.mark.parametrize(("url", "message"), [
    ("mysql://user:hunter2@db/orders", "DATABASE_URL 'mysql://…' is not understood"),
    ("sqlite:////proc/no-such-folder/orders.sqlite3", "cannot open the order database"),
    ("sqlite:///orders.sqlite3?mode=ro", "has options after the file's path"),
    ("postgresql://user:hunter2@[::1/orders", "DATABASE_URL cannot be read (end of string "
                                              "reached when looking for matching"),
    ("postgresql://user:hunter2@127.0.0.1:abc/orders", "has a port that is not a number"),
    ("postgresql://user:hunter2@127.0.0.1/orders?colour=blue",
     'invalid URI query parameter: "colour"'),
])
def test_api_command_refuses_a_bad_database_url(url: str, message: str, api_private: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LINESHEETS_TOKEN_SECRET", SECRET)
    monkeypatch.setenv("LINESHEETS_MANIFEST", str(api_private / "manifest.json"))
    monkeypatch.setenv("LINESHEETS_KEYS", str(api_private / "keys.json"))
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["api", "--port", "8123"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "hunter2" not in err


def _api_environment(monkeypatch: pytest.MonkeyPatch, private: Path) -> None:
    monkeypatch.setenv("LINESHEETS_TOKEN_SECRET", SECRET)
    monkeypatch.setenv("LINESHEETS_MANIFEST", str(private / "manifest.json"))
    monkeypatch.setenv("LINESHEETS_KEYS", str(private / "keys.json"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{private / 'orders.sqlite3'}")


def test_api_command_refuses_a_busy_port_with_what_to_do(
        api_private: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _api_environment(monkeypatch, api_private)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["api", "--host", "127.0.0.1", "--port", str(port)]) == 1
    assert capsys.readouterr().err == (f"error: port {port} on 127.0.0.1 is in use (another "
                                       "server?); stop it, or pick another port with --port\n")
    assert not (api_private / "orders.sqlite3").exists()  # refused before it made one


def test_api_command_refuses_a_host_that_is_no_address(
        api_private: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _api_environment(monkeypatch, api_private)
    assert main(["api", "--host", "no-such-host.invalid", "--port", "8123"]) == 1
    assert capsys.readouterr().err.startswith(
        "error: --host 'no-such-host.invalid' is not an address of this machine; give e.g. "
        "127.0.0.1")
