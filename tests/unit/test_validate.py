"""Model validation errors: located at the field's line, worded to say how to fix them."""

from __future__ import annotations

import pytest

from generator.errors import ContentProblem
from generator.passcode import verify_passcode
from tests.unit.conftest import ContentDir


def _where(problem: ContentProblem) -> tuple[str, int, str]:
    return problem.file, problem.line, problem.field


def test_unknown_key_suggests_the_near_miss(content: ContentDir) -> None:
    content.edit("seasons/ss27/products.yaml", "    sizes: [S, M, L]",
                 "    sizes: [S, M, L]\n    colours: []")
    problem = content.problem()
    assert _where(problem) == ("content/seasons/ss27/products.yaml", 10, "styles[0].colours")
    assert problem.message == "unknown field 'colours'; did you mean 'colors'?"


def test_unknown_key_without_near_miss_lists_the_fields(content: ContentDir) -> None:
    content.edit("buyers/aoyama.yaml", "country: JP", "country: JP\nfavourite: tea")
    problem = content.problem()
    assert _where(problem) == ("content/buyers/aoyama.yaml", 6, "favourite")
    assert problem.message.startswith("unknown field 'favourite'; the fields here are: address,")


def test_unknown_key_in_a_nested_model_names_its_own_fields(content: ContentDir) -> None:
    content.edit("brand.yaml", "  rate: 10", "  rate: 10\n  rouding: up")
    problem = content.problem()
    assert _where(problem) == ("content/brand.yaml", 9, "tax.rouding")
    assert problem.message == "unknown field 'rouding'; did you mean 'rounding'?"


def test_customer_link_fields_from_the_buyer_get_a_hint(content: ContentDir) -> None:
    content.edit("links/aoyama.yaml", "buyer: aoyama", "buyer: aoyama\ncurrencies: [USD]")
    problem = content.problem()
    assert _where(problem) == ("content/links/aoyama.yaml", 4, "currencies")
    assert problem.message == ("unknown field 'currencies': a customer link takes currencies "
                               "from its buyer (buyers/<id>.yaml); set it there and remove it "
                               "here")


def test_instant_link_with_several_seasons_gets_a_hint(content: ContentDir) -> None:
    content.edit("links/open.yaml", "season: ss27", "seasons: [ss27]")
    problems = content.problems()
    assert [(p.field, p.message) for p in problems] == [
        ("season", "required field 'season' is missing; add it"),
        ("seasons", "unknown field 'seasons': an instant link offers one season: write "
                    "`season: <id>`, or use a brand link for several"),
    ]


def test_brand_link_without_seasons_and_unknown_kind(content: ContentDir) -> None:
    content.write("links/all.yaml", "kind: brand\nname: All\nseasons: []\n"
                                    "transaction: {term: wsp}\n")
    content.write("links/odd.yaml", "kind: flash\nname: Odd\n")
    problems = {p.file: p for p in content.problems()}
    empty = problems["content/links/all.yaml"]
    assert _where(empty) == ("content/links/all.yaml", 3, "seasons")
    assert empty.message == "is empty; give at least 1 item"
    odd = problems["content/links/odd.yaml"]
    assert _where(odd) == ("content/links/odd.yaml", 1, "kind")
    assert odd.message == "unknown kind 'flash'; a link is one of: instant, brand, customer"


def test_wrong_type_names_the_value(content: ContentDir) -> None:
    content.edit("seasons/ss27/products.yaml", "    moq: 2", "    moq: many")
    problem = content.problem()
    assert _where(problem) == ("content/seasons/ss27/products.yaml", 13, "styles[0].moq")
    assert problem.message == ("Input should be a valid integer, unable to parse string as an "
                               "integer, got 'many'")


def test_missing_required_field(content: ContentDir) -> None:
    content.edit("buyers/aoyama.yaml", "email: aiko@example.com\n", "")
    problem = content.problem()
    assert _where(problem) == ("content/buyers/aoyama.yaml", 1, "email")
    assert problem.message == "required field 'email' is missing; add it"


def test_every_bad_style_is_reported_not_only_the_first(content: ContentDir) -> None:
    content.edit("seasons/ss27/products.yaml", "    moq: 2", "    moq: 0")
    content.edit("seasons/ss27/products.yaml", "    sizes: [One size]", "    sizes: []")
    fields = [p.field for p in content.problems()]
    assert fields == ["styles[0].moq", "styles[1].sizes"]


def test_text_in_a_language_the_brand_lacks(content: ContentDir) -> None:
    content.edit("seasons/ss27/season.yaml", "ja: 2027年春夏}", "jp: 2027年春夏}")
    problem = content.problem()
    assert _where(problem) == ("content/seasons/ss27/season.yaml", 1, "name")
    assert problem.message == ("language 'jp' is not one of the brand's languages (en, ja); "
                               "fix the key or add it to brand.yaml")


def test_text_without_the_default_language(content: ContentDir) -> None:
    content.edit("seasons/ss27/season.yaml", "{en: Spring Summer 2027, ja: 2027年春夏}",
                 "{ja: 2027年春夏}")
    problem = content.problem()
    assert problem.message == ("no 'en' text; the default language is the fallback for the "
                               "others, so it must be given")


def test_bad_codes_in_brand_are_each_reported(content: ContentDir) -> None:
    content.edit("brand.yaml", "currencies: [JPY, USD]", "currencies: [JPY, YEN]")
    content.edit("brand.yaml", "timezone: Asia/Tokyo", "timezone: Tokyo")
    problems = content.problems()
    assert [(p.line, p.field, p.message) for p in problems] == [
        (4, "currencies[1]", "'YEN' is not an ISO 4217 currency code; use e.g. JPY, USD, EUR"),
        (5, "timezone", "'Tokyo' is not an IANA time zone; use e.g. Asia/Tokyo, Europe/Paris"),
    ]


def test_missing_media_file(content: ContentDir) -> None:
    (content.root / "media/styles/ss27-001-blk.jpg").unlink()
    problem = content.problem()
    assert _where(problem) == ("content/seasons/ss27/products.yaml", 7,
                               "styles[0].colors[0].images[0]")
    assert problem.message.startswith("media file 'styles/ss27-001-blk.jpg' not found in ")


def test_media_path_may_not_leave_the_media_folder(content: ContentDir) -> None:
    content.edit("seasons/ss27/season.yaml", "seasons/ss27.jpg", "../brand.yaml")
    problem = content.problem()
    assert problem.field == "header_image"
    assert problem.message == ("'../brand.yaml' must be a path inside media/, like "
                               "ss27/coat-black.jpg")


def test_passcode_enabled_without_a_secret(content: ContentDir) -> None:
    content.edit("buyers/aoyama.yaml", "passcode: {value: aoyama-2027}", "passcode: {}")
    problem = content.problem()
    assert _where(problem) == ("content/buyers/aoyama.yaml", 11, "passcode")
    assert problem.message.startswith("the passcode is enabled but has no value or hash")


_SALT, _KEY = "A" * 22 + "==", "A" * 43 + "="


@pytest.mark.parametrize("hashed", [
    "md5-abc",
    f"scrypt$16385${8}$1${_SALT}${_KEY}",  # n not a power of two: scrypt refuses it
    f"scrypt$0$0$0${_SALT}${_KEY}",
    f"scrypt$99999999999$8$1${_SALT}${_KEY}",
    f"scrypt$16384$99999$99999${_SALT}${_KEY}",  # gigabytes to verify
    f"scrypt$16384$8$1${_SALT}$AAAA",  # a 3-byte key
])
def test_passcode_hash_must_come_from_the_command(content: ContentDir, hashed: str) -> None:
    """A hash the endpoint could not verify would leave the link closed for good."""
    content.edit("buyers/aoyama.yaml", "{value: aoyama-2027}", f"{{hash: '{hashed}'}}")
    assert content.problem().message.startswith("hash is not a hash from `linesheets passcode")
    assert not verify_passcode("aoyama-2027", hashed)


def test_background_needs_a_source(content: ContentDir) -> None:
    content.edit("links/open.yaml", "season: ss27", "season: ss27\nbackground: {type: image}")
    problem = content.problem()
    assert _where(problem) == ("content/links/open.yaml", 4, "background")
    assert problem.message == "a background of type image needs src: a file under media/"


def test_percent_outside_0_to_100(content: ContentDir) -> None:
    content.edit("buyers/aoyama.yaml", "deposit_percent: 30", "deposit_percent: 130")
    problem = content.problem()
    assert problem.field == "deposit_percent"
    assert problem.message == "Input should be less than or equal to 100, got '130'"


def test_delivery_window_must_be_ordered(content: ContentDir) -> None:
    content.edit("seasons/ss27/season.yaml", "to: 2027-03-15", "to: 2027-01-15")
    problem = content.problem()
    assert _where(problem) == ("content/seasons/ss27/season.yaml", 3, "delivery")
    assert problem.message == "delivery ends (2027-01-15) before it starts (2027-02-01)"


def test_rate_outside_0_to_100(content: ContentDir) -> None:
    content.edit("buyers/aoyama.yaml", "rate: 50}", "rate: 120}")
    problem = content.problem()
    assert _where(problem) == ("content/buyers/aoyama.yaml", 8, "transaction.rate")
    assert problem.message == "Input should be less than or equal to 100, got '120'"


def test_norway_stays_a_country_code(content: ContentDir) -> None:
    content.edit("buyers/aoyama.yaml", "country: JP", "country: NO")
    assert content.load().buyers["aoyama"].country == "NO"


def test_background_file_must_exist_and_images_are_not_urls(content: ContentDir) -> None:
    content.edit("links/open.yaml", "season: ss27",
                 "season: ss27\nbackground: {type: image, src: backgrounds/mist.jpg}")
    content.edit("links/aoyama.yaml", "buyer: aoyama",
                 "buyer: aoyama\nbackground: {type: image, src: 'https://cdn.example.com/a.jpg'}")
    problems = [(p.file, p.field, p.message) for p in content.problems()]
    assert problems == [
        ("content/links/aoyama.yaml", "background",
         "an image background is a file under media/, not a URL"),
        ("content/links/open.yaml", "background.src",
         "media file 'backgrounds/mist.jpg' not found in media/; add the file or fix the path"),
    ]


def test_a_swatch_without_its_hash_is_told_so(content: ContentDir) -> None:
    """A colour copied from a design tool without its # was looked for as a picture under
    media/ ("media file 'EEE8DC' not found"); the check now says what to write."""
    content.edit("seasons/ss27/products.yaml", 'swatch: "#EEE8DC"', "swatch: EEE8DC")
    problem = content.problem()
    assert problem.field.endswith(".swatch")
    assert problem.message == ("'EEE8DC' is a colour without its #: write swatch: \"#EEE8DC\" "
                               "(in quotes: YAML reads an unquoted # as a comment)")


def test_a_style_that_fails_leaves_the_others_checked_at_their_places(
        content: ContentDir) -> None:
    """One style's own problem used to hide every cross-file problem of its season's other
    styles until it was fixed: a check in rounds. The styles that validate are checked with
    the links at once, each problem at the style's own place in the file; what names the
    style that failed (the lookbook's page) is not called unknown."""
    content.edit("seasons/ss27/products.yaml", "JPY: {rrp: 48000, wsp: 21600}",
                 "JPY: {rrp: 48000, wsp: -21600}")  # SS27-001 fails its own validation
    content.edit("seasons/ss27/products.yaml", "USD: {rrp: 80, wsp: 36}", "USD: {rrp: 80}")
    problems = [(p.line, p.field, p.message) for p in content.problems()]
    assert problems == [
        (11, "styles[0].prices.JPY.wsp", "Input should be greater than 0, got '-21600'"),
        (19, "styles[1].prices", "style 'SS27-002' has no USD 'wsp' price, which link open "
         "needs; add prices.USD.wsp"),
    ]


def test_a_style_that_fails_has_its_sizes_and_cells_checked_in_the_same_round(
        content: ContentDir) -> None:
    """A style with a bad price used to have its size listed twice and its stock of a colour
    it does not have told only once the price was fixed; its colours, sizes and cells are
    checked by the fields that did validate, in the same check."""
    content.edit("seasons/ss27/products.yaml", "JPY: {rrp: 48000, wsp: 21600}",
                 "JPY: {rrp: 48000, wsp: -21600}")
    content.edit("seasons/ss27/products.yaml", "sizes: [S, M, L]", "sizes: [S, M, L, M]")
    content.edit("seasons/ss27/products.yaml", "moq: 2\n",
                 "moq: 2\n    stock: {NVY: {S: 5}, BLK: {M: -1}}\n")
    problems = [(p.line, p.field, p.message) for p in content.problems()]
    assert problems == [
        (9, "styles[0].sizes[3]", "size 'M' is listed twice"),
        (11, "styles[0].prices.JPY.wsp", "Input should be greater than 0, got '-21600'"),
        (14, "styles[0].stock.BLK.M", "Input should be greater than or equal to 0, got '-1'"),
    ]
    # The stock failed (its BLK cell): its other cells wait for it, as a valid field's do not.
    content.edit("seasons/ss27/products.yaml", "BLK: {M: -1}", "BLK: {M: 1}")
    problems = [(p.line, p.field, p.message) for p in content.problems()]
    assert problems[-1] == (14, "styles[0].stock.NVY", "colour 'NVY' is not one of this "
                            "style's colours (BLK, ECR)")
    assert len(problems) == 3
    # Colours that fail leave nothing to check the cells by: no cell is called unknown.
    content.edit("seasons/ss27/products.yaml", 'swatch: "#111111"', 'swatch: "#11"')
    assert not any("not one of this style's colours" in p.message
                   for p in content.problems())


def test_video_background_may_be_a_url(content: ContentDir) -> None:
    content.edit("links/open.yaml", "season: ss27", "season: ss27\n"
                 "background: {type: video, src: 'https://cdn.example.com/loop.mp4', repeat: yes}")
    background = content.load().links["open"].background
    assert (background.src, background.repeat) == ("https://cdn.example.com/loop.mp4", True)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("base_url: https://example.com", 'base_url: "http://[::1"',
     "'http://[::1' is not an http(s) URL: its host or port cannot be read"),
    ("base_url: https://example.com", "base_url: https://example.com:99999/",
     "'https://example.com:99999/' is not an http(s) URL: its host or port cannot be read"),
    ("timezone: Asia/Tokyo", "timezone: " + "A" * 300, "'" + "A" * 300 + "' is not an IANA"),
])
def test_brand_values_the_build_could_not_use_are_refused(
        content: ContentDir, old: str, new: str, message: str) -> None:
    """Each once passed the check and then stopped the build (or the check) with a
    traceback."""
    content.edit("brand.yaml", old, new)
    assert content.problem().message.startswith(message)


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_a_deadline_at_the_calendars_edge_is_refused(content: ContentDir, moment: str) -> None:
    content.edit("seasons/ss27/season.yaml", "order_deadline: 2027-01-31T18:00:00",
                 f"order_deadline: {moment}")
    assert "is outside the years 1970 to 9998; check the date" in content.problem().message


def test_a_media_path_longer_than_a_file_name_is_refused(content: ContentDir) -> None:
    content.edit("seasons/ss27/season.yaml", "header_image: seasons/ss27.jpg",
                 f"header_image: seasons/{'a' * 300}.jpg")
    assert "is longer than a file name can be" in content.problem().message


@pytest.mark.parametrize(("path", "old", "new", "message"), [
    ("brand.yaml", "languages: [en, ja]", "languages: []",
     "languages: is empty; give at least 1 item"),
    ("seasons/ss27/products.yaml", "style_no: SS27-001", "style_no: 'SS27 001'",
     "'SS27 001' is not a code; use letters, digits and . _ - (no spaces)"),
    ("seasons/ss27/products.yaml", "sizes: [S, M, L]", "sizes: [S, [M], L]",
     "Input should be a valid string"),
    ("brand.yaml", "rate: 10", "rate: 1e-999999999",
     "'1e-999999999' has more than 4 decimal places; round it"),
])
def test_built_in_checks_are_worded_for_a_brand(content: ContentDir, path: str, old: str,
                                                new: str, message: str) -> None:
    """What pydantic would say in its own terms ("after validation", "Decimal input", a
    regular expression) is said in what to write."""
    content.edit(path, old, new)
    problem = content.problem()
    assert message in f"{problem.field}: {problem.message}", problem.message


@pytest.mark.parametrize(("path", "old", "new", "field", "message"), [
    ("links/open.yaml", "season: ss27", "season: ss27\nminimum_order: {JPY: 100000, EUR: 700}",
     "minimum_order.EUR", "currency 'EUR' is not one this link offers (JPY, USD)"),
    ("links/open.yaml", "season: ss27", "season: ss27\nminimum_order: {JPY: 100000.5}",
     "minimum_order.JPY", "JPY amounts have 0 decimals; '100000.5' has 1"),
    ("links/open.yaml", "season: ss27", "season: ss27\nminimum_order: {USD: 0}",
     "minimum_order.USD", "greater than 0"),
    ("buyers/aoyama.yaml", "country: JP", "country: JP\nminimum_order: {USD: 700}",
     "minimum_order.USD", "currency 'USD' is not the buyer's (JPY); give the minimum in JPY"),
    ("links/aoyama.yaml", "buyer: aoyama", "buyer: aoyama\nminimum_order: {JPY: 1}",
     "minimum_order", "a customer link takes minimum_order from its buyer"),
])
def test_a_minimum_order_is_in_the_links_currencies_with_their_decimals(
        content: ContentDir, path: str, old: str, new: str, field: str, message: str) -> None:
    content.edit(path, old, new)
    problem = content.problem()
    assert problem.field == field and message in problem.message, str(problem)


@pytest.mark.parametrize(("path", "old"), [("links/open.yaml", "season: ss27"),
                                           ("buyers/aoyama.yaml", "country: JP")])
def test_tax_exempt_terms_do_not_also_show_prices_with_the_tax(
        content: ContentDir, path: str, old: str) -> None:
    content.edit(path, old, f"{old}\ntax_exempt: true\napply_tax: true")
    problem = content.problem()
    assert (problem.field, problem.message) == ("apply_tax", "apply_tax shows prices with the "
                                                "tax, and tax_exempt orders carry none; remove "
                                                "one of the two")


def test_a_size_chart_may_leave_a_size_out_and_be_in_inches(content: ContentDir) -> None:
    content.edit("seasons/ss27/products.yaml", "    moq: 2",
                 "    moq: 2\n    measurement_unit: in\n    measurements:\n"
                 "      - {label: {en: Chest, ja: 身幅}, values: {S: 20.5, M: 21.5}}")
    coat = content.load().styles["ss27"][0]
    assert coat.measurement_unit == "in"
    assert {size: str(value) for size, value in coat.measurements[0].values.items()} == {
        "S": "20.5", "M": "21.5"}


@pytest.mark.parametrize(("path", "old", "new", "message"), [
    ("buyers/aoyama.yaml", "country: JP", "country: ZZ", "'ZZ' is not an ISO 3166 country"),
    ("links/open.yaml", "lookbooks: [ss27]", "lookbooks: [ss27, ss27]",
     "lists ss27 more than once; keep one of each"),
    ("links/open.yaml", "season: ss27", "season: ss27\nbackground: {type: video, src: "
                                        "lookbooks/ss27-1.jpg}",
     "'lookbooks/ss27-1.jpg' is not a video file (.mp4, .webm, .mov, .m4v); for a picture, "
     "set type: image"),
    ("links/open.yaml", "season: ss27", "season: ss27\nvideo: https://example.com/film",
     "'https://example.com/film' is not a YouTube, Vimeo or Bilibili video's address; give "
     "its page (https://www.youtube.com/watch?v=…, https://vimeo.com/…, "
     "https://www.bilibili.com/video/BV…) or a video file under media/"),
    ("links/open.yaml", "season: ss27", "season: ss27\nvideo: lookbooks/ss27-1.jpg",
     "'lookbooks/ss27-1.jpg' is not a video file (.mp4, .webm, .mov, .m4v); export the film "
     "as MP4, or give its YouTube, Vimeo or Bilibili address"),
    ("links/open.yaml", "season: ss27", "season: ss27\nvideo: films/nowhere.mp4",
     "films/nowhere.mp4"),
])
def test_content_that_passed_the_check_and_was_wrong_is_refused(
        content: ContentDir, path: str, old: str, new: str, message: str) -> None:
    content.edit(path, old, new)
    assert message in content.problem().message


def test_a_colour_written_unquoted_is_named_not_left_empty(content: ContentDir) -> None:
    item = '- {code: ECR, name: {en: Ecru, ja: エクリュ}, swatch: "#EEE8DC"}'
    text = (content.root / "seasons/ss27/products.yaml").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.strip() == item)
    inner = " " * (len(line) - len(line.lstrip()) + 2)
    content.edit("seasons/ss27/products.yaml", item,
                 f"- code: ECR\n{inner}swatch: #EEE8DC\n{inner}name: {{en: Ecru, ja: エクリュ}}")
    problem = content.problem()
    assert problem.message == ("'#EEE8DC' after 'swatch:' is read as a YAML comment, leaving "
                               'swatch empty; quote it: swatch: "#EEE8DC"')


def test_a_media_path_that_is_a_folder_is_named_as_one(content: ContentDir) -> None:
    content.edit("seasons/ss27/season.yaml", "header_image: seasons/ss27.jpg",
                 "header_image: seasons")
    assert content.problem().message == ("media path 'seasons' is a folder; name a file in it, "
                                         "like seasons/coat-black.jpg")


@pytest.mark.parametrize(("written", "field", "message"), [
    # A size chart names the style's sizes, with positive measures.
    ("measurements: [{label: Chest, values: {S: 52, XL: 60}}]",
     "styles[0].measurements[0].values.XL", "size 'XL' is not one of this style's sizes (S, M, L)"),
    ("measurements: [{label: Chest, values: {S: -52}}]", "styles[0].measurements[0].values.S",
     "greater than 0"),
    ("measurements: [{label: Chest, values: {S: 52.25}}]", "styles[0].measurements[0].values.S",
     "1 decimal place"),
    ("measurements: [{label: Chest, values: {}}]", "styles[0].measurements[0].values",
     "at least 1 item"),
    # A style's own delivery is a window of days or text.
    ("delivery: {from: 2027-05-15, to: 2027-04-15}", "styles[0].delivery",
     "delivery ends (2027-04-15) before it starts (2027-05-15)"),
    ("delivery: {from: 2027-04-15}", "styles[0].delivery.to", "required"),
    ('delivery: ""', "styles[0].delivery", "text is empty"),
    # A size's own prices replace lists the style has, in its sizes.
    ("size_prices: {XL: {JPY: {wsp: 23000}}}", "styles[0].size_prices.XL",
     "size 'XL' is not one of this style's sizes (S, M, L)"),
    ("size_prices: {L: {JPY: {exw: 23000}}}", "styles[0].size_prices.L.JPY.exw",
     "size 'L' has a JPY 'exw' price, but the style has none"),
    ("size_prices: {L: {JPY: {wsp: 23000.5}}}", "styles[0].size_prices.L.JPY.wsp", "JPY"),
    ("size_prices: {L: {JPY: {wsp: 0}}}", "styles[0].size_prices.L.JPY.wsp", "greater than 0"),
    # A prepack holds the style's sizes, and is its multiple.
    ("pack: {S: 1, M: 2, L: 1, XL: 2}", "styles[0].pack.XL",
     "size 'XL' is not one of this style's sizes (S, M, L)"),
    ("pack: {S: 1, M: 0}", "styles[0].pack.M", "greater than or equal to 1"),
    ("pack: {S: 1, M: 2}", "styles[0].pack",
     "size L of this style is not in its pack, so a buyer could never order them: give each "
     "a number of units in the pack, or take it out of sizes"),
    ("pack: {S: 1, M: 2, L: 1}\n    multiple: 2", "styles[0].multiple",
     "a style sold in packs is ordered in whole packs, which are its multiple: remove "
     "`multiple`"),
])
def test_a_styles_optional_fields_are_refused_where_written(
        content: ContentDir, written: str, field: str, message: str) -> None:
    content.edit("seasons/ss27/products.yaml", "    moq: 2", f"    moq: 2\n    {written}")
    problem = content.problem()
    assert problem.field == field and message in problem.message, str(problem)


@pytest.mark.parametrize(("video", "refused"), [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "plays on YouTube"),
    ("https://youtu.be/dQw4w9WgXcQ", "plays on YouTube"),
    ("https://vimeo.com/76979871", "plays on Vimeo"),
    ("films/ss27.mp4", None),  # a file under media/, served with the pages
    ("https://www.bilibili.com/video/BV1GJ411x7h7", None),  # plays in China
])
def test_a_link_for_buyers_in_china_shows_no_video_blocked_there(
        content: ContentDir, video: str, refused: str | None) -> None:
    (content.root / "media/films").mkdir(parents=True)
    (content.root / "media/films/ss27.mp4").write_bytes(b"\0\0\0\x18ftypmp42")
    content.edit("links/open.yaml", "season: ss27", f"season: ss27\nchina_only: true\n"
                 f"video: '{video}'")
    if refused is None:
        assert content.load().links["open"].video == video
        return
    problem = content.problem()
    assert (problem.file, problem.line, problem.field) == ("content/links/open.yaml", 5, "video")
    assert problem.message == (
        f"'{video}' {refused}, which is blocked in mainland China, where this link's buyers "
        "are (china_only): they would see an empty frame; give the film as a video file "
        "under media/ (e.g. films/ss27.mp4), which the pages play themselves, or its address "
        "on Bilibili")
    # The same video on a link for everyone plays.
    content.edit("links/open.yaml", "china_only: true\n", "")
    assert content.load().links["open"].video == video


@pytest.mark.parametrize(("base_url", "refused"), [
    ("http://orders.example.com", True),
    ("http://orders.example.com:8080/wholesale/", True),
    ("http://127.0.0.1:8000", False),  # this machine: browsers treat it as https
    ("https://orders.example.com", False),
])
def test_a_site_with_passcodes_is_served_on_https(
        content: ContentDir, base_url: str, refused: bool) -> None:
    content.edit("brand.yaml", "base_url: https://example.com", f"base_url: {base_url}")
    if not refused:
        assert content.load().brand.base_url == base_url
        return
    problem = content.problem()
    assert (problem.file, problem.line, problem.field) == ("content/brand.yaml", 6, "base_url")
    assert problem.message == (
        f"'{base_url}' is plain http, and links have a passcode (aoyama): browsers open their "
        "pages only on https, and passcodes and orders would cross the network readable on "
        "the way; serve the site on https:// (every CDN does) and write that address here")
