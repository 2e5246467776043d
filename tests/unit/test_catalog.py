"""Cross-file rules: references, subsets, windows, terms and price coverage, located and worded."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from generator.errors import ContentProblem
from generator.fields import DATE_EXAMPLES
from tests.unit.conftest import ContentDir


def _where(problem: ContentProblem) -> tuple[str, int, str]:
    return problem.file, problem.line, problem.field


def test_valid_tree_loads_with_resolved_terms(content: ContentDir) -> None:
    catalog = content.load()
    assert list(catalog.seasons) == ["ss27"]
    assert [p.style_no for p in catalog.styles["ss27"]] == ["SS27-001", "SS27-002"]
    offer = catalog.offer("aoyama")
    assert (offer.languages, offer.currencies, offer.term.code) == (("ja",), ("JPY",), "wsp_rrp")
    assert (offer.rate, offer.deposit_percent, offer.require_address) == (
        Decimal(50), Decimal(30), True)
    assert offer.passcode == "aoyama-2027"
    open_offer = catalog.offer("open")
    assert open_offer.currencies == ("JPY", "USD")
    assert open_offer.languages == ("en", "ja")
    assert open_offer.passcode is None


def test_loading_is_deterministic(content: ContentDir) -> None:
    assert content.load() == content.load()


def test_naive_dates_are_read_in_the_brand_timezone(content: ContentDir) -> None:
    deadline = content.load().seasons["ss27"].order_deadline
    assert deadline.utcoffset() == timedelta(hours=9)
    assert deadline == datetime.fromisoformat("2027-01-31T09:00:00+00:00")


def test_link_languages_and_currencies_must_be_the_brands(content: ContentDir) -> None:
    content.edit("links/open.yaml", "season: ss27",
                 "season: ss27\nlanguages: [en, fr]\ncurrencies: [EUR, EUR]")
    problems = content.problems()
    assert [(p.line, p.field, p.message) for p in problems] == [
        (4, "languages[1]", "language 'fr' is not one of the brand's (en, ja); add it to "
                            "brand.yaml or remove it here"),
        (5, "currencies[0]", "currency 'EUR' is not one of the brand's (JPY, USD); add it to "
                             "brand.yaml or remove it here"),
        (5, "currencies[1]", "currency 'EUR' is listed twice"),
        (5, "currencies[1]", "currency 'EUR' is not one of the brand's (JPY, USD); add it to "
                             "brand.yaml or remove it here"),
    ]


def test_dangling_season_lookbook_and_buyer(content: ContentDir) -> None:
    content.edit("links/open.yaml", "season: ss27", "season: ss28")
    content.edit("links/open.yaml", "lookbooks: [ss27]", "lookbooks: [aw27]")
    content.edit("links/aoyama.yaml", "buyer: aoyama", "buyer: omotesando")
    problems = [(p.file, p.field, p.message) for p in content.problems()]
    assert problems == [
        ("content/links/aoyama.yaml", "buyer",
         "buyer 'omotesando' does not exist; known buyers: aoyama"),
        ("content/links/open.yaml", "season",
         "season 'ss28' does not exist; known seasons: ss27"),
        ("content/links/open.yaml", "lookbooks[0]",
         "lookbook 'aw27' does not exist; known lookbooks: ss27"),
    ]


def test_an_invalid_file_is_not_reported_again_as_missing(content: ContentDir) -> None:
    content.edit("buyers/aoyama.yaml", "country: JP", "country: Japan")
    problem = content.problem()
    assert _where(problem) == ("content/buyers/aoyama.yaml", 5, "country")
    assert problem.message == "'Japan' is not an ISO 3166 country code; use e.g. JP, FR, CN, US"


def test_brand_link_lists_a_season_twice(content: ContentDir) -> None:
    content.write("links/all.yaml", "kind: brand\nname: All\nseasons: [ss27, ss27]\n"
                                    "transaction: {term: wsp}\n")
    problem = content.problem()
    assert _where(problem) == ("content/links/all.yaml", 3, "seasons[1]")
    assert problem.message == "season 'ss27' is listed twice"


def test_season_without_styles_cannot_be_offered(content: ContentDir) -> None:
    content.write("seasons/aw27/season.yaml", "name: AW27\norder_deadline: 2027-07-31\n")
    content.edit("links/aoyama.yaml", "seasons: [ss27]", "seasons: [ss27, aw27]")
    problem = content.problem()
    assert _where(problem) == ("content/links/aoyama.yaml", 4, "seasons[1]")
    assert problem.message == ("season 'aw27' has no styles yet; add "
                               "seasons/aw27/products.yaml or offer another season")


def test_customer_link_buyer_needs_a_passcode(content: ContentDir) -> None:
    content.edit("buyers/aoyama.yaml", "passcode: {value: aoyama-2027}\n", "")
    problem = content.problem()
    assert _where(problem) == ("content/links/aoyama.yaml", 3, "buyer")
    assert problem.message.startswith("buyer 'aoyama' has no passcode, and a customer link")


@pytest.mark.parametrize(("written", "hint"), [
    ("20270131", "2027-01-31, or with a time: 2027-01-31T18:00"),  # read as seconds: 1970
    ("'1735689600'", DATE_EXAMPLES),
    ("1735689600.5", DATE_EXAMPLES),
])
def test_a_date_written_as_a_number_is_refused(
    content: ContentDir, written: str, hint: str
) -> None:
    content.edit("seasons/ss27/season.yaml", "order_deadline: 2027-01-31T18:00:00",
                 f"order_deadline: {written}")
    problem = content.problem()
    assert _where(problem) == ("content/seasons/ss27/season.yaml", 2, "order_deadline")
    number = written.strip("'")
    assert problem.message == (f"'{number}' is a number, not a date; write the date as "
                               f"ISO 8601, e.g. {hint}")


def test_a_date_that_does_not_parse_says_what_to_write(content: ContentDir) -> None:
    content.edit("links/open.yaml", "season: ss27", "season: ss27\nexpires_at: end of March")
    problem = content.problem()
    assert _where(problem) == ("content/links/open.yaml", 4, "expires_at")
    assert problem.message == (f"'end of March' is not a date; write it as ISO 8601, e.g. "
                               f"{DATE_EXAMPLES}")


def test_a_buyers_phone_is_one_an_order_would_take(content: ContentDir) -> None:
    """It fills the customer link's checkout form, and the order must not refuse it then."""
    content.edit("buyers/aoyama.yaml", "email: aiko@example.com",
                 "email: aiko@example.com\nphone: ask the shop")
    problem = content.problem()
    assert _where(problem) == ("content/buyers/aoyama.yaml", 5, "phone")
    assert problem.message == ("'ask the shop' is not a phone number; write digits, with an "
                               "optional + in front and spaces, ( ) . or - between them, e.g. "
                               "+81 3 1234 5678")
    content.edit("buyers/aoyama.yaml", "phone: ask the shop", "phone: (03) 1234-5678")
    assert content.load().buyers["aoyama"].phone == "(03) 1234-5678"


def test_release_must_come_before_expiry(content: ContentDir) -> None:
    content.edit("links/open.yaml", "season: ss27", "season: ss27\n"
                 "release_at: 2027-03-01T10:00:00+09:00\nexpires_at: 2027-02-28")
    problem = content.problem()
    assert _where(problem) == ("content/links/open.yaml", 5, "expires_at")
    assert problem.message.startswith("the link expires (2027-02-28 00:00:00+09:00) before it "
                                      "is released (2027-03-01 10:00:00+09:00)")


def test_deposit_percent_only_with_deposit_billing(content: ContentDir) -> None:
    content.edit("buyers/aoyama.yaml", "billing: with_deposit\n", "")
    content.edit("links/open.yaml", "season: ss27", "season: ss27\nbilling: with_deposit")
    problems = [(p.file, p.field, p.message) for p in content.problems()]
    assert problems == [
        ("content/buyers/aoyama.yaml", "deposit_percent", "deposit_percent only applies with "
         "`billing: with_deposit`; set that or remove the percent"),
        ("content/links/open.yaml", "billing",
         "billing with_deposit needs `deposit_percent` (0–100)"),
    ]


def test_unknown_term_and_parameters_that_do_not_fit_the_basis(content: ContentDir) -> None:
    content.edit("links/open.yaml", "transaction: {term: wsp}", "transaction: {term: cif}")
    content.edit("buyers/aoyama.yaml", "{term: wsp_rrp, rate: 50}",
                 "{term: wsp_rrp, discount: 50}")
    content.edit("seasons/ss27/season.yaml", "header_image", "rates: {exw: {rate: 90}}\n"
                 "header_image")
    problems = [(p.file, p.line, p.field, p.message) for p in content.problems()]
    assert problems == [
        ("content/buyers/aoyama.yaml", 8, "transaction.discount",
         "term 'wsp_rrp' is a retail rate (掛け率): give `rate` (percent of the retail price), "
         "not `discount`"),
        ("content/links/open.yaml", 4, "transaction.term",
         "unknown term 'cif'; the brand's terms are: wsp_rrp, wsp, exw, fob, ddp"),
        ("content/seasons/ss27/season.yaml", 4, "rates.exw.rate",
         "term 'exw' is priced from its own list: give `discount` (percent off), not `rate`"),
    ]


def test_a_rate_of_0_or_a_discount_of_100_would_price_everything_at_0(
    content: ContentDir,
) -> None:
    content.edit("buyers/aoyama.yaml", "rate: 50}", "rate: 0}")
    content.edit("links/open.yaml", "transaction: {term: wsp}",
                 "transaction: {term: wsp, discount: 100.00}")
    content.edit("seasons/ss27/products.yaml", "    moq: 2", "    moq: 2\n"
                 "    rates: {wsp: {discount: 99.99}, wsp_rrp: {rate: 0.5}}")  # low, yet a price
    problems = [(p.file, p.line, p.field, p.message) for p in content.problems()]
    assert problems == [
        ("content/buyers/aoyama.yaml", 8, "transaction.rate",
         "a rate of 0 % makes every price 0; give the percent of the retail price the buyer "
         "pays, e.g. 50"),
        ("content/links/open.yaml", 4, "transaction.discount",
         "a discount of 100 % makes every price 0; give the percent off the list price, from "
         "0 to 99.99"),
    ]


def test_product_rate_override_for_an_unknown_term(content: ContentDir) -> None:
    content.edit("seasons/ss27/products.yaml", "    moq: 2", "    moq: 2\n"
                 "    rates: {wsp_rpp: {rate: 55}}")
    problem = content.problem()
    assert _where(problem) == ("content/seasons/ss27/products.yaml", 14,
                               "styles[0].rates.wsp_rpp")
    assert problem.message.startswith("unknown term 'wsp_rpp'")


def test_terms_file_replaces_the_default_set(content: ContentDir) -> None:
    content.write("terms.yaml", """
        terms:
          - {code: wsp, label: {en: Wholesale, ja: 卸}, basis: discount}
          - {code: wsp, label: Again, basis: discount}
          - {code: rrp, label: Retail, basis: retail_rate}
        """)
    problems = [(p.file, p.line, p.field, p.message) for p in content.problems()]
    assert problems == [
        # the buyer trades on wsp_rrp, which this terms file does not define
        ("content/buyers/aoyama.yaml", 8, "transaction.term",
         "unknown term 'wsp_rrp'; the brand's terms are: wsp"),
        ("content/terms.yaml", 3, "terms[1].code", "term 'wsp' is defined twice; keep one"),
        ("content/terms.yaml", 4, "terms[2].code",
         "'rrp' names the retail price list; give the term another code, e.g. wsp_rrp"),
    ]


def test_every_offered_style_needs_a_price_for_the_term(content: ContentDir) -> None:
    content.edit("seasons/ss27/products.yaml", "      USD: {rrp: 80, wsp: 36}",
                 "      USD: {rrp: 80}")
    content.edit("buyers/aoyama.yaml", "currency: JPY", "currency: USD")
    content.write("links/retail.yaml", "kind: instant\nname: R\nseason: ss27\n"
                  "currencies: [USD]\ntransaction: {term: wsp}\n")
    problem = content.problem()
    assert _where(problem) == ("content/seasons/ss27/products.yaml", 19, "styles[1].prices")
    assert problem.message == ("style 'SS27-002' has no USD 'wsp' price, which links open, "
                               "retail need; add prices.USD.wsp")


def test_retail_rate_terms_need_the_rrp_list(content: ContentDir) -> None:
    content.edit("seasons/ss27/products.yaml", "      JPY: {rrp: 12000, wsp: 5400}",
                 "      JPY: {wsp: 5400}")
    problem = content.problem()
    assert problem.message == ("style 'SS27-002' has no JPY 'rrp' price, which link aoyama "
                               "needs; add prices.JPY.rrp")


def test_duplicate_style_numbers_colours_and_sizes(content: ContentDir) -> None:
    content.edit("seasons/ss27/products.yaml", "style_no: SS27-002", "style_no: SS27-001")
    content.edit("seasons/ss27/products.yaml", "sizes: [S, M, L]", "sizes: [S, M, M]")
    content.edit("seasons/ss27/products.yaml", "{code: ECR,", "{code: BLK,")
    problems = [(p.line, p.field, p.message) for p in content.problems()]
    assert problems == [
        (8, "styles[0].colors[1]", "colour code 'BLK' is listed twice"),
        (9, "styles[0].sizes[2]", "size 'M' is listed twice"),
        (14, "styles[1].style_no", "style 'SS27-001' is already styles[0]; style numbers are "
                                   "unique within a season"),
    ]


def test_a_sku_or_jan_code_belongs_to_one_cell_of_the_season(content: ContentDir) -> None:
    content.edit("seasons/ss27/products.yaml", "    moq: 2", "    moq: 2\n"
                 "    skus: {BLK: {S: TR-1, M: TR-1}, ECR: {S: TR-2}}\n"
                 "    jan: {BLK: {S: '4901234567894'}}")
    content.edit("seasons/ss27/products.yaml", "      USD: {rrp: 80, wsp: 36}",
                 "      USD: {rrp: 80, wsp: 36}\n    skus: {'001': {One size: TR-2}}\n"
                 "    jan: {'001': {One size: '4901234567894'}}")
    problems = [(p.line, p.field, p.message) for p in content.problems()]
    assert problems == [
        (14, "styles[0].skus.BLK.M", "SKU 'TR-1' is already styles[0].skus.BLK.S; each colour "
                                     "and size needs its own SKU"),
        (24, "styles[1].skus.001.One size", "SKU 'TR-2' is already styles[0].skus.ECR.S; each "
                                            "colour and size needs its own SKU"),
        (25, "styles[1].jan.001.One size", "JAN code '4901234567894' is already "
                                           "styles[0].jan.BLK.S; each colour and size needs its "
                                           "own JAN code"),
    ]


def test_cells_must_name_the_styles_colours_and_sizes(content: ContentDir) -> None:
    content.edit("seasons/ss27/products.yaml", "    moq: 2", "    moq: 2\n"
                 "    sold_out: {BLK: [XL], NVY: [S]}\n"
                 "    jan: {ECR: {S: '4901234567890', M: '4901234567894'}}")
    problems = [(p.line, p.field, p.message) for p in content.problems()]
    assert problems == [
        (14, "styles[0].sold_out.BLK[0]", "size 'XL' is not one of this style's sizes (S, M, L)"),
        (14, "styles[0].sold_out.NVY", "colour 'NVY' is not one of this style's colours "
                                       "(BLK, ECR)"),
        (15, "styles[0].jan.ECR.S", "'4901234567890' fails the JAN/EAN check digit; check the "
                                    "code"),
    ]


def test_moq_must_be_a_multiple_of_the_order_multiple(content: ContentDir) -> None:
    content.edit("seasons/ss27/products.yaml", "    moq: 2", "    moq: 5\n    multiple: 2")
    problem = content.problem()
    assert problem.field == "styles[0].moq"
    assert problem.message == ("moq 5 is not a multiple of `multiple` 2, so the smallest order "
                               "would be 6; make moq a multiple")


def test_prices_carry_at_most_the_currencys_digits(content: ContentDir) -> None:
    content.edit("seasons/ss27/products.yaml", "{rrp: 48000, wsp: 21600}",
                 "{rrp: 48000.5, wsp: 21600}")
    content.edit("seasons/ss27/products.yaml", "{rrp: 320.00, wsp: 144.00}",
                 "{rrp: 320.001, wsp: 144.00}")
    problems = [(p.field, p.message) for p in content.problems()]
    assert problems == [
        ("styles[0].prices.JPY.rrp", "JPY amounts have 0 decimals; '48000.5' has 1"),
        ("styles[0].prices.USD.rrp", "USD amounts have 2 decimals; '320.001' has 3"),
    ]


def test_prices_in_a_currency_the_brand_does_not_sell_in(content: ContentDir) -> None:
    content.edit("seasons/ss27/products.yaml", "      USD: {rrp: 80, wsp: 36}",
                 "      USD: {rrp: 80, wsp: 36}\n      EUR: {rrp: 75, cif: 30}")
    problems = [(p.field, p.message) for p in content.problems()]
    assert problems == [
        ("styles[1].prices.EUR", "currency 'EUR' is not one of the brand's (JPY, USD); add it "
                                 "to brand.yaml or remove these prices"),
        ("styles[1].prices.EUR.cif", "'cif' is not a price list; use rrp, wsp, exw, fob, ddp"),
    ]


def test_lookbook_styles_must_be_in_its_season(content: ContentDir) -> None:
    content.edit("lookbooks/ss27.yaml", "styles: [SS27-001]", "styles: [SS27-009]")
    problem = content.problem()
    assert _where(problem) == ("content/lookbooks/ss27.yaml", 4, "pages[0].styles[0]")
    assert problem.message == "style 'SS27-009' is not in season 'ss27'"


def test_organization_needs_a_company_and_a_person_has_none(content: ContentDir) -> None:
    content.edit("buyers/aoyama.yaml", "company: Select Shop Aoyama\n", "")
    content.write("buyers/mika.yaml", """
        type: personal
        company: Mika Styling
        name: Mika Ito
        email: mika@example.com
        country: JP
        language: ja
        currency: JPY
        transaction: {term: wsp}
        """)
    problems = [(p.file, p.field, p.message) for p in content.problems()]
    assert problems == [
        ("content/buyers/aoyama.yaml", "company", "an organization buyer needs `company`, the "
                                                  "name of the shop or firm"),
        ("content/buyers/mika.yaml", "company", "a personal buyer has no company; remove it or "
                                                "set `type: organization`"),
    ]


def test_ids_must_be_url_safe(content: ContentDir) -> None:
    content.write("links/Spring Sale.yaml", "kind: instant\nname: S\nseason: ss27\n"
                  "transaction: {term: wsp}\n")
    problem = content.problem()
    assert problem.file == "content/links/Spring Sale.yaml"
    assert problem.message == ("the id 'Spring Sale' (the file name) is not URL-safe; use "
                               "lowercase letters, digits and hyphens, e.g. 'spring-sale'")


def test_season_id_must_match_its_folder(content: ContentDir) -> None:
    content.edit("seasons/ss27/season.yaml", "name:", "id: ss28\nname:")
    problem = content.problem()
    assert _where(problem) == ("content/seasons/ss27/season.yaml", 1, "id")
    assert problem.message == "id 'ss28' differs from the folder name 'ss27'; make them equal " \
                              "or drop `id`"


def test_default_language_must_be_among_the_languages(content: ContentDir) -> None:
    content.edit("brand.yaml", "default_language: en", "default_language: fr")
    problems = content.problems()
    assert (problems[0].field, problems[0].message) == (
        "default_language", "'fr' is not in languages; add it there")


def test_a_link_may_not_show_a_lookbook_of_a_season_it_does_not_offer(
    content: ContentDir,
) -> None:
    content.write("seasons/aw27/season.yaml", "name: AW27\norder_deadline: 2027-07-31\n")
    content.write("seasons/aw27/products.yaml", (content.root / "seasons/ss27/products.yaml")
                  .read_text().replace("SS27-", "AW27-"))
    content.write("lookbooks/aw27.yaml", "title: AW27\nseason: aw27\n"
                  "pages: [{image: lookbooks/ss27-1.jpg}]\n")
    content.edit("links/open.yaml", "lookbooks: [ss27]", "lookbooks: [ss27, aw27]")
    problem = content.problem()
    assert _where(problem) == ("content/links/open.yaml", 5, "lookbooks[1]")
    assert problem.message == ("lookbook 'aw27' shows season 'aw27', which this link does not "
                               "offer; offer the season or remove the lookbook")
