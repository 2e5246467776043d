"""Bad orders: each is answered 4xx with a problem that names what is wrong, and nothing is stored.

One case per way a client (a buggy page, a hand-made request, an attacker) can get an order
wrong; the field each problem names is what a page needs to point at the right input.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.unit.endpoint import EXPIRY, SECOND, Answer
from tests.unit.shop import ADDRESS, ORDER, Shop, order

PROBLEM = "https://linesheets.dev/problems/"
LINE = ORDER["lines"][0]


def _line(**changes: Any) -> list[dict[str, Any]]:
    return [LINE | changes]


def _without_line_field(name: str) -> list[dict[str, Any]]:
    return [{k: v for k, v in LINE.items() if k != name}]


@dataclass(frozen=True)
class Case:
    """A bad request: its body, and the status, problem kind and field it must be refused with."""

    body: Any
    status: int
    kind: str
    field: str | None = None  # an entry of `errors` must name it
    link: str = "open"
    code: str | None = None  # the cart rule's kind, where one is broken
    options: dict[str, Any] = dataclasses.field(default_factory=dict)


CASES: dict[str, Case] = {
    # Quantities
    "zero quantity": Case(order(lines=_line(quantity=0)), 422, "validation-failed",
                          "lines[0].quantity"),
    "negative quantity": Case(order(lines=_line(quantity=-2)), 422, "validation-failed",
                              "lines[0].quantity"),
    "quantity above 10,000": Case(order(lines=_line(quantity=10_002)), 422,
                                  "validation-failed", "lines[0].quantity"),
    "huge quantity": Case(order(lines=_line(quantity=10**30)), 422, "validation-failed",
                          "lines[0].quantity"),
    "float quantity": Case(order(lines=_line(quantity=2.0)), 422, "validation-failed",
                           "lines[0].quantity"),
    "fractional quantity": Case(order(lines=_line(quantity=2.5)), 422, "validation-failed",
                                "lines[0].quantity"),
    "string quantity": Case(order(lines=_line(quantity="2")), 422, "validation-failed",
                            "lines[0].quantity"),
    "boolean quantity": Case(order(lines=_line(quantity=True)), 422, "validation-failed",
                             "lines[0].quantity"),
    "null quantity": Case(order(lines=_line(quantity=None)), 422, "validation-failed",
                          "lines[0].quantity"),
    "missing quantity": Case(order(lines=_without_line_field("quantity")), 422,
                             "validation-failed", "lines[0].quantity"),
    # What the catalog offers
    "unknown style": Case(order(lines=_line(style_no="SS27-999")), 422, "cart-rejected",
                          "lines[0].style_no", code="unknown_style"),
    "unknown colour": Case(order(lines=_line(color="RED")), 422, "cart-rejected",
                           "lines[0].color", code="unknown_color"),
    "unknown size": Case(order(lines=_line(size="XXL")), 422, "cart-rejected",
                         "lines[0].size", code="unknown_size"),
    "sold-out cell": Case(order(lines=_line(size="L")), 422, "cart-rejected",
                          "lines[0].size", code="sold_out"),
    "below the MOQ": Case(order(lines=_line(quantity=1)), 422, "cart-rejected",
                          "lines[0].quantity", code="below_moq"),
    "not a multiple": Case(order(lines=[{"style_no": "SS27-002", "color": "001",
                                         "size": "One size", "quantity": 4}]),
                           422, "cart-rejected", "lines[0].quantity", code="not_multiple"),
    "duplicate lines": Case(order(lines=[LINE, LINE]), 422, "cart-rejected",
                            "lines[1].size", code="duplicate_line"),
    "style of another season": Case(order(season="aw27"), 422, "validation-failed",
                                    "season"),
    # The shape of the body
    "a price sent with a line": Case(order(lines=_line(price="1")), 422,
                                     "validation-failed", "lines[0].price"),
    "a total sent with the order": Case(order(total="1"), 422, "validation-failed", "total"),
    "no lines": Case(order(lines=[]), 422, "validation-failed", "lines"),
    "501 lines": Case(order(lines=[LINE | {"size": f"S{n}"} for n in range(501)]), 422,
                      "validation-failed", "lines"),
    "lines not a list": Case(order(lines={"0": LINE}), 422, "validation-failed", "lines"),
    "a body that is a list": Case([ORDER], 422, "validation-failed", ""),
    "an empty body": Case({}, 422, "validation-failed", "language"),
    "style number too long": Case(order(lines=_line(style_no="S" * 65)), 422,
                                  "validation-failed", "lines[0].style_no"),
    "expected_total not a decimal": Case(order(expected_total="47,520"), 422,
                                         "validation-failed", "expected_total"),
    "expected_total a number": Case(order(expected_total=47520), 422, "validation-failed",
                                    "expected_total"),
    # Language, currency and season the link offers
    "lowercase currency": Case(order(currency="jpy"), 422, "validation-failed", "currency"),
    "currency not offered": Case(order(currency="EUR"), 422, "validation-failed", "currency"),
    "language not offered": Case(order(language="fr"), 422, "validation-failed", "language"),
    # The buyer
    "no buyer": Case(order(buyer=None), 422, "validation-failed", "buyer"),
    "not an e-mail address": Case(order(buyer=ORDER["buyer"] | {"email": "aiko"}), 422,
                                  "validation-failed", "buyer.email"),
    **{f"an e-mail the confirmation could not be sent to: {email}": Case(
        order(buyer=ORDER["buyer"] | {"email": email}), 422, "validation-failed",
        "buyer.email")
       for email in ("<aiko@example.com>", "a..b@example.com", "a;b@example.com",
                     'a"b@example.com', "aiko@example.com.", "aiko@exämple.com",
                     "a(b)@example.com", "aiko@example")},
    "an e-mail longer than 254 characters": Case(
        order(buyer=ORDER["buyer"] | {"email": "a" * 250 + "@example.com"}), 422,
        "validation-failed", "buyer.email"),
    "a line separator in a company": Case(
        order(buyer=ORDER["buyer"] | {"company": "Shop\u2028Aoyama"}), 422,
        "validation-failed", "buyer.company"),
    "a blank company": Case(order(buyer=ORDER["buyer"] | {"company": " "}), 422,
                            "validation-failed", "buyer.company"),
    "a name of zero-width spaces": Case(order(buyer=ORDER["buyer"] | {"name": "\u200b\u200b"}),
                                        422, "validation-failed", "buyer.name"),
    "a NUL in a name": Case(order(buyer=ORDER["buyer"] | {"name": "Aiko\x00Tanaka"}), 422,
                            "validation-failed", "buyer.name"),
    "a right-to-left override in a company": Case(
        order(buyer=ORDER["buyer"] | {"company": "Shop \u202egnp.exe"}), 422,
        "validation-failed", "buyer.company"),
    "a line break in a name": Case(order(buyer=ORDER["buyer"] | {"name": "Aiko\nTanaka"}),
                                   422, "validation-failed", "buyer.name"),
    "a name too long": Case(order(buyer=ORDER["buyer"] | {"name": "A" * 201}), 422,
                            "validation-failed", "buyer.name"),
    "a phone that is not one": Case(order(buyer=ORDER["buyer"] | {"phone": "call me"}), 422,
                                    "validation-failed", "buyer.phone"),
    "a note too long": Case(order(note="n" * 2001), 422, "validation-failed", "note"),
    "a NUL in the note": Case(order(note="before\x00after"), 422, "validation-failed",
                              "note"),
    # The address
    "an unknown country": Case(order(address=ADDRESS | {"country": "XX"}), 422,
                               "validation-failed", "address.country"),
    "a blank city": Case(order(address=ADDRESS | {"city": " "}), 422, "validation-failed",
                         "address.city"),
    "a street of ideographic spaces": Case(order(address=ADDRESS | {"line1": "\u3000\u3000"}),
                                           422, "validation-failed", "address.line1"),
    "an address without a city": Case(order(address={k: v for k, v in ADDRESS.items()
                                                     if k != "city"}),
                                      422, "validation-failed", "address.city"),
    "a China-only order with a Japanese address": Case(
        order(language="en", currency="USD", address=ADDRESS,
              buyer={"name": "Li Wei", "email": "li@example.cn"}),
        422, "validation-failed", "address.country", link="china"),
    # Transport
    "invalid JSON": Case(None, 400, "invalid-json",
                         options={"raw_body": b'{"language": "ja",'}),
    "JSON that is not UTF-8": Case(None, 400, "invalid-json",
                                   options={"raw_body": b'{"note": "\xff"}'}),
    "a lone surrogate escape": Case(None, 400, "invalid-json",
                                    options={"raw_body": b'{"note": "\\ud800"}'}),
    "wrong content type": Case(None, 415, "unsupported-media-type", options={
        "raw_body": json.dumps(ORDER).encode(), "headers": [("Content-Type", "text/plain")]}),
    "form-encoded body": Case(None, 415, "unsupported-media-type", options={
        "raw_body": b"language=ja", "headers": [
            ("Content-Type", "application/x-www-form-urlencoded")]}),
    "oversized body": Case(order(note="n" * 300_000), 413, "content-too-large"),
    "oversized chunked body": Case(order(note="n" * 300_000), 413, "content-too-large",
                                   options={"chunk": 16_384}),
}


@pytest.mark.parametrize("name", CASES)
def test_a_bad_order_is_refused_and_nothing_is_stored(shop: Shop, name: str) -> None:
    case = CASES[name]
    answer = shop.post(case.link, case.body, **case.options)
    _assert_refused(answer, case.status, case.kind)
    if case.field is not None:
        errors = answer.json()["errors"]
        assert case.field in [error["field"] for error in errors], errors
        if case.code is not None:
            assert case.code in [error.get("code") for error in errors]
        assert case.field in answer.json()["detail"] or case.field == ""
    assert shop.stored() == 0


def test_the_suite_is_large_enough() -> None:
    assert len(CASES) + len(TOKENS) >= 30


def test_a_chunked_order_within_the_limit_is_accepted(shop: Shop) -> None:
    answer = shop.post("open", order(note="n" * 1500), chunk=64)
    assert answer.status == 201, answer.body


def test_right_to_left_letters_are_welcome(shop: Shop) -> None:
    buyer = ORDER["buyer"] | {"company": "متجر الأناقة", "name": "שרה כהן"}
    answer = shop.post("open", order(buyer=buyer))
    assert answer.status == 201, answer.body
    assert answer.json()["buyer"]["company"] == "متجر الأناقة"


@pytest.mark.parametrize("phone", ["(03) 1234-5678", "+81 3 1234 5678", "075-555-0138"])
def test_phones_as_people_write_them_are_taken(shop: Shop, phone: str) -> None:
    answer = shop.post("open", order(buyer=ORDER["buyer"] | {"phone": phone}))
    assert answer.status == 201, answer.body


def _tampered(shop: Shop) -> str:
    token = shop.token("aoyama")
    head, payload, signature = token.split(".")
    return f"{head}.{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{signature}"


def _rotated(shop: Shop) -> str:
    # A token of the link's previous key, replayed after `linesheets keys rotate`.
    return shop.token("aoyama", version=shop.keys.current("aoyama").version - 1)


TOKENS: dict[str, tuple[Callable[[Shop], str | None], str]] = {
    "no token": (lambda shop: None, "missing"),
    "a token of another link": (lambda shop: shop.token("preview"), "other-link"),
    "a tampered token": (_tampered, "signature"),
    "an expired token": (lambda shop: shop.token("aoyama",
                                                 expires_at=shop.clock.now - SECOND), "expired"),
    "a token signed with another secret": (lambda shop: shop.token(
        "aoyama", secret=b"x" * 32), "signature"),
    "not a token": (lambda shop: "hello", "malformed"),
    "a token replayed after the key was rotated": (_rotated, "stale-key"),
}


@pytest.mark.parametrize("name", TOKENS)
def test_a_sealed_link_refuses_a_bad_token(shop: Shop, name: str) -> None:
    make, reason = TOKENS[name]
    if reason == "stale-key":
        shop.keys.rotate("aoyama")
        from tests.unit.endpoint import publish

        shop.keys = publish(_catalog(shop), shop.private)
    answer = shop.post("aoyama", order(address=ADDRESS), token=make(shop))
    _assert_refused(answer, 401, "token-rejected")
    assert answer.json()["reason"] == reason
    assert shop.stored() == 0


def _catalog(shop: Shop) -> Any:
    from generator.catalog import load_catalog

    return load_catalog(shop.private.parent / "content")


def test_a_token_is_good_until_it_expires(shop: Shop) -> None:
    token = shop.token("aoyama", expires_at=shop.clock.now + SECOND)
    assert shop.post("aoyama", order(address=ADDRESS), token=token).status == 201
    shop.clock.advance(1)
    late = shop.post("aoyama", order(address=ADDRESS), token=token, key="key-0002")
    assert (late.status, late.json()["reason"]) == (401, "expired")
    assert shop.clock.now < EXPIRY


def test_an_expired_token_still_fetches_the_order_it_placed(shop: Shop) -> None:
    """A buyer whose answer was lost just before the token (or the link) expired can still
    learn the order number with a retry; the expired token places nothing new."""
    token = shop.token("preview")  # expires with the link
    placed = shop.post("preview", order(), token=token)
    assert placed.status == 201, placed.body
    shop.clock.now = EXPIRY + SECOND
    retry = shop.post("preview", order(), token=token)
    assert (retry.status, retry.body) == (201, placed.body)
    assert retry.headers["idempotent-replayed"] == "true"
    fresh = shop.post("preview", order(), token=token, key="key-0002")
    assert (fresh.status, fresh.json()["reason"]) == (401, "expired")
    other = shop.post("preview", order(note="another"), token=token)  # same key, other body
    assert (other.status, other.json()["reason"]) == (401, "expired")
    tampered = shop.post("preview", order(), token=token[:-2] + "xx")
    assert (tampered.status, tampered.json()["reason"]) == (401, "signature")
    assert shop.stored() == 1


def _assert_refused(answer: Answer, status: int, kind: str) -> None:
    assert answer.status == status, answer.body
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert (problem["type"], problem["status"]) == (PROBLEM + kind, status)
    assert problem["detail"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "Aiko\x00Tanaka", "contains the invisible character U+0000 at position 5; "
                               "remove it"),
    ("company", "Shop \u202egnp.exe", "contains the invisible character U+202E at position 6; "
                                      "remove it"),
    ("name", "Aiko\nTanaka", "must be a single line"),
    ("name", "Aiko\tTanaka", "must be a single line"),
])
def test_invisible_characters_are_named_where_they_are(shop: Shop, field: str, value: str,
                                                       message: str) -> None:
    answer = shop.post("open", order(buyer=ORDER["buyer"] | {field: value}))
    assert answer.status == 422
    assert answer.json()["errors"] == [{"field": f"buyer.{field}", "message": message}]
    assert shop.stored() == 0


@pytest.mark.parametrize(("field", "value", "message"), [
    ("buyer.name", "Aiko\u2028Tanaka", "must be a single line"),
    ("buyer.company", " \u3000", "is blank; write it out"),
    ("buyer.name", "\u200b", "is blank; write it out"),
    ("buyer.email", "<aiko@example.com>", "'<aiko@example.com>' is not an e-mail address; "
                                          "write it as name@example.com (letters, digits and "
                                          ". _ + - before the @; a domain in its ASCII xn-- "
                                          "form)"),
    ("buyer.phone", "call me", "'call me' is not a phone number; write digits, with an "
                               "optional + in front and spaces, ( ) . or - between them, e.g. "
                               "+81 3 1234 5678"),
    ("currency", "jpy", "'jpy' is not a currency code; write the link's ISO 4217 code in "
                        "capitals, e.g. JPY"),
    ("season", "SS27", "'SS27' is not a season id; write it as the link's pages do, in "
                       "lowercase, e.g. ss27"),
    ("expected_total", "47,520", "'47,520' is not an amount; write the total as the quote "
                                 "gives it: digits and the currency's decimals, no separators "
                                 "or symbol, e.g. 68640 or 1234.50"),
    ("address.country", "jp", "'jp' is not a country code; write the ISO 3166 code in "
                              "capitals, e.g. JP"),
    ("address.country", "XX", "'XX' is not an ISO 3166 country code; use e.g. JP, FR, CN, US"),
    ("lines[0].quantity", "2", "must be a whole number, written as a JSON number (2, not "
                               "\"2\" or 2.0)"),
])
def test_each_refusal_says_how_to_write_the_value(shop: Shop, field: str, value: str,
                                                  message: str) -> None:
    """A buyer (or a page's developer) reads what to write, never a regular expression."""
    body = order(address=ADDRESS)
    parent, _, name = field.rpartition(".")
    if field == "lines[0].quantity":
        body["lines"] = _line(quantity=value)
    elif parent:
        body[parent] = body[parent] | {name: value}
    else:
        body[name] = value
    answer = shop.post("open", body)
    assert answer.status == 422, answer.body
    assert answer.json()["errors"] == [{"field": field, "message": message}]
    assert shop.stored() == 0


@pytest.mark.parametrize(("raw", "headers", "hint"), [
    (b"\xef\xbb\xbf" + json.dumps(ORDER).encode(), [],
     "; send it as UTF-8 without a byte-order mark"),
    (json.dumps(ORDER).encode("utf-16"), [], "; send it as UTF-8 without a byte-order mark"),
    (json.dumps(ORDER).encode("utf-16-le"), [], "; send it as UTF-8 text"),
    (gzip.compress(json.dumps(ORDER).encode()), [("Content-Encoding", "gzip")],
     "; send it uncompressed (no Content-Encoding)"),
])
def test_json_in_another_form_than_utf8_text_says_what_to_send(
        shop: Shop, raw: bytes, headers: list[tuple[str, str]], hint: str) -> None:
    answer = shop.post("open", None, raw_body=raw,
                       headers=[("Content-Type", "application/json"), *headers])
    _assert_refused(answer, 400, "invalid-json")
    assert answer.json()["detail"].endswith(hint)
    assert shop.stored() == 0


def test_a_note_may_have_line_breaks_but_not_invisible_characters(shop: Shop) -> None:
    assert shop.post("open", order(note="Line one\r\nLine two\tend")).status == 201
    answer = shop.post("open", order(note="ok\u2066hidden"), key="key-0002")
    assert answer.json()["errors"] == [{"field": "note", "message": "contains the invisible "
                                        "character U+2066 at position 3; remove it"}]
