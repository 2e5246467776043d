"""What the endpoint accepts from a buyer, an order e-mail can carry: every e-mail address and
every one-line name that passes the request's checks makes valid headers (a value that did
not would leave an order stored that neither the buyer nor the brand hears of)."""

from __future__ import annotations

import re
from email.headerregistry import Address
from email.message import EmailMessage

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.fields import _EMAIL, check_email
from order_api.schemas import FILLED_PATTERN, PLAIN_PATTERN

_ONE_LINE = re.compile(PLAIN_PATTERN)
_FILLED = re.compile(FILLED_PATTERN)


def _accepted(value: str) -> bool:
    try:
        check_email(value)
    except ValueError:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(st.from_regex(_EMAIL, fullmatch=True), st.text(max_size=40).filter(_ONE_LINE.fullmatch))
def test_every_accepted_address_makes_a_to_header(email: str, name: str) -> None:
    if not _accepted(email):  # too long: refused, nothing to send
        return
    message = EmailMessage()
    message["To"] = Address(display_name=name, addr_spec=email)
    assert message["To"].addresses[0].addr_spec == email


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
@example("Shop\u2028Aoyama")  # line and paragraph separators: Python's e-mail splits on them
@example("Shop\u2029Aoyama")
def test_every_accepted_one_line_text_makes_a_subject(text: str) -> None:
    if not _ONE_LINE.fullmatch(text):
        assert re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]", text)
        return
    message = EmailMessage()
    subject = f"New order SS27-000001 from {text}"
    message["Subject"] = subject
    message.set_content("body")
    assert message.as_bytes().startswith(b"Subject: ")  # serialized, folded as it must be
    assert str(message["Subject"]).split() == subject.split()


@pytest.mark.parametrize("text", [" ", "\u3000", "\u200b\u200d", "\t", " \u00ad ", ""])
def test_blank_text_is_not_filled(text: str) -> None:
    assert not _FILLED.fullmatch(text)


@pytest.mark.parametrize("text", ["A", " Aiko ", "株式会社", "متجر", "O'Neil & Co."])
def test_any_visible_letter_fills_a_field(text: str) -> None:
    assert _FILLED.fullmatch(text)


@pytest.mark.parametrize("email", ["<a@b.co>", "a..b@c.co", "a;b@c.co", 'a"b@c.co', "a@b.co.",
                                   "é@é.é", "a(b)@c.co", "a b@c.co", ".a@b.co", "a.@b.co",
                                   "a@-b.co", "a@b"])
def test_addresses_a_mail_could_not_carry_are_refused(email: str) -> None:
    with pytest.raises(ValueError, match="is not an e-mail address; write it as"):
        check_email(email)
