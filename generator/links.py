"""Model stage, order links: the three kinds of links/<slug>.yaml (DESIGN.md §3)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from generator.fields import (
    Code,
    CurrencyCode,
    DateTime,
    LanguageTag,
    MediaOrUrl,
    Percent,
    Slug,
    Text,
)
from generator.models import (
    Billing,
    BuyerType,
    Contact,
    ContentModel,
    Passcode,
    Price,
    Transaction,
)
from generator.videos import VIDEO_SUFFIXES, is_video_file, video_player


class Background(ContentModel):
    """What fills the link's pages behind the content (and the passcode screen)."""

    type: Literal["empty", "image", "video"] = "empty"
    src: MediaOrUrl | None = None  # a file under media/; for video also an https URL
    repeat: bool = False  # tile the image instead of covering the screen

    @model_validator(mode="after")
    def _source_fits_type(self) -> Background:
        if self.type == "empty" and self.src is not None:
            raise ValueError("an empty background takes no src; set type: image or video")
        if self.type != "empty" and self.src is None:
            raise ValueError(f"a background of type {self.type} needs src: a file under media/")
        if self.type == "image" and self.src is not None and "://" in self.src:
            raise ValueError("an image background is a file under media/, not a URL")
        if (self.type == "video" and self.src is not None and "://" not in self.src
                and not is_video_file(self.src)):
            raise ValueError(f"'{self.src}' is not a video file ({', '.join(VIDEO_SUFFIXES)})"
                             "; for a picture, set type: image")
        return self


class _Link(ContentModel):
    """Fields every kind of link has."""

    name: Text
    description: Text | None = None  # Markdown
    catalog: bool = False  # a catalog: browse only, no cart
    # Shown on the link home: a YouTube, Vimeo or Bilibili video's address, or a video file
    # under media/.
    video: MediaOrUrl | None = None
    background: Background = Background()
    lookbooks: list[Slug] = []
    contacts: list[Contact] | None = None  # default: the brand's contacts
    expires_at: DateTime | None = None
    # A selection of its seasons' styles, by style number: only these (`styles`), or every
    # one but these (`hide_styles`); default every style (but those exclusive to other links).
    styles: list[Code] = []
    hide_styles: list[Code] = []
    # Colourways it leaves out, by style number: {SS27-001: [BLK]} (a colour a distributor
    # carries in the territory); the style shows with its other colours.
    hide_colors: dict[Code, list[Code]] = {}

    @field_validator("video")
    @classmethod
    def _playable(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if "://" in value:
            if video_player(value) is None:
                raise ValueError(f"'{value}' is not a YouTube, Vimeo or Bilibili video's "
                                 "address; give its page (https://www.youtube.com/watch?v=…, "
                                 "https://vimeo.com/…, https://www.bilibili.com/video/BV…) or a "
                                 f"video file under media/ ({', '.join(VIDEO_SUFFIXES)})")
        elif not is_video_file(value):
            raise ValueError(f"'{value}' is not a video file ({', '.join(VIDEO_SUFFIXES)}); "
                             "export the film as MP4, or give its YouTube, Vimeo or Bilibili "
                             "address")
        return value

    @field_validator("lookbooks", "styles", "hide_styles")
    @classmethod
    def _each_once(cls, value: list[str]) -> list[str]:
        twice = sorted({name for name in value if value.count(name) > 1})
        if twice:
            raise ValueError(f"lists {', '.join(twice)} more than once; keep one of each")
        return value

    @field_validator("hide_colors")
    @classmethod
    def _colors_each_once(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for style_no, codes in value.items():
            if not codes:
                raise ValueError(f"names no colour of {style_no}; list the colour codes to "
                                 "leave out, or take the style off hide_colors")
            twice = sorted({code for code in codes if codes.count(code) > 1})
            if twice:
                raise ValueError(f"lists {', '.join(twice)} of {style_no} more than once; keep "
                                 "one of each")
        return value

    @model_validator(mode="after")
    def _one_selection(self) -> _Link:
        if self.styles and self.hide_styles:
            raise ValueError("give `styles` (the styles to show) or `hide_styles` (the styles "
                             "to leave out), not both")
        return self


class _PricedLink(_Link):
    """Fields of links that carry their own terms (instant and brand links)."""

    buyer_type: BuyerType = "organization"
    passcode: Passcode | None = None
    languages: list[LanguageTag] | None = Field(default=None, min_length=1)  # default: brand's
    currencies: list[CurrencyCode] | None = Field(default=None, min_length=1)  # default: brand's
    billing: Billing = "without_deposit"
    deposit_percent: Percent | None = None
    # The least an order may come to before tax, per currency (a minimum opening order).
    minimum_order: dict[CurrencyCode, Price] = {}
    transaction: Transaction
    apply_tax: bool = False  # show tax-inclusive prices
    tax_exempt: bool = False  # its orders carry no tax (an export: buyers abroad)
    # Businesses in other EU member states than the brand's: no VAT on its orders (exempt
    # intra-Community supplies; each buyer accounts for the VAT of its acquisition), the buyer
    # giving its VAT number at checkout
    intra_community: bool = False
    show_terms: bool = False  # show the buyer the term, billing and price breakdown


class InstantLink(_PricedLink):
    """An instant link: one season, its own terms, for sharing on SNS or by message."""

    kind: Literal["instant"]
    season: Slug
    release_at: DateTime | None = None
    china_only: bool = False  # dedicated to buyers from China: addresses in CN only

    field_hints: ClassVar[dict[str, str]] = {
        "seasons": "an instant link offers one season: write `season: <id>`, or use a brand "
                   "link for several",
        "buyer": "only customer links name a buyer; set `kind: customer`",
        "require_address": "only customer links require an address",
    }


class BrandLink(_PricedLink):
    """A brand link: several seasons, the buyer picks language and currency."""

    kind: Literal["brand"]
    seasons: list[Slug] = Field(min_length=1)

    field_hints: ClassVar[dict[str, str]] = {
        "season": "a brand link offers `seasons: [<id>, …]`",
        "release_at": "brand links are live until they expire; use an instant link for a "
                      "release date",
        "china_only": "only instant links can be dedicated to buyers from China",
        "buyer": "only customer links name a buyer; set `kind: customer`",
        "require_address": "only customer links require an address",
    }




class CustomerLink(_Link):
    """A customer link: a registered buyer's own terms, opened with the buyer's passcode."""

    kind: Literal["customer"]
    buyer: Slug
    seasons: list[Slug] = Field(min_length=1)
    release_at: DateTime | None = None
    require_address: bool = False  # the buyer must give a delivery address with the order

    field_hints: ClassVar[dict[str, str]] = {
        key: f"a customer link takes {key} from its buyer (buyers/<id>.yaml); set it there "
             "and remove it here"
        for key in ("languages", "currencies", "billing", "deposit_percent", "transaction",
                    "apply_tax", "buyer_type", "passcode", "minimum_order", "tax_exempt",
                    "intra_community")
    } | {"season": "a customer link offers `seasons: [<id>, …]`"}


Link = InstantLink | BrandLink | CustomerLink
LINK_KINDS: dict[str, type[InstantLink] | type[BrandLink] | type[CustomerLink]] = {
    "instant": InstantLink,
    "brand": BrandLink,
    "customer": CustomerLink,
}


def link_seasons(link: Link) -> list[str]:
    """The seasons a link offers: an instant link's one, or its list."""
    return [link.season] if isinstance(link, InstantLink) else list(link.seasons)
