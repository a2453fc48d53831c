"""Build product-offer records the way ``product_offer/read`` serves them.

A record is split in two independent, seeded halves so MAIN and FBE accounts of one seller can
sell the same SKU: the *content* (name, brand, EAN, images...) depends only on the seller's SKU
index, the *offer* (id, price, stock, status...) on the account. Every record is rebuilt on
demand from a small :class:`Offer` core, so huge catalogues cost little memory.
"""

# ruff: noqa: S311  -- seeded, reproducible test data; nothing here is security-relevant

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any

from emag_sandbox import vocab
from emag_sandbox.rng import label_seed, rng_for, scramble36

APPROVED_VALIDATION = frozenset({9, 10, 11, 12})
ELECTRICAL_CODES = frozenset({"LMP", "HUM", "FRB", "ASP", "CST", "PRT", "BRM", "BEC"})
SHAPES = ("full", "legacy", "minimal")


@dataclass(frozen=True)
class SkuTraits:
    """Seller-level facts of one SKU that filters need without building the record."""

    index: int
    type_index: int
    part_number: str
    part_number_key: str | None
    validation: int
    translation_validation: int
    base_price_cents: int


@dataclass(frozen=True)
class Offer:
    """The mutable core of one account's offer; mutations replace it with a new instance."""

    id: int
    sku: SkuTraits
    seed: int
    status: int
    price_e4: int  # sale price without VAT in ten-thousandths of a leu: eMAG's four decimals
    stock: int
    estimated_stock: int
    offer_validation: int
    name_suffix: str | None = None
    recommended_factor: int | None = None  # percent above sale price; None = record default
    competition: int = 0  # > 0: competitors moved, the buy-button rank is drawn again
    bounds_e4: tuple[int, int] | None = None  # min/max sale price once fixed; see price_bounds
    campaign: bool = False  # in a campaign with stock in site: regular updates are refused


def _weighted(rng: random.Random, table: tuple[tuple[Any, int], ...]) -> Any:
    """Pick from ``(value, weight)`` pairs."""
    total = sum(w for _, w in table)
    r = rng.randrange(total)
    for value, weight in table:
        r -= weight
        if r < 0:
            return value
    return table[-1][0]


_VALIDATION_TABLE = (
    (9, 760), (11, 50), (12, 20), (3, 30), (1, 40), (0, 30), (8, 30), (2, 10), (4, 10),
    (5, 5), (6, 5), (10, 10),
)
_TRANSLATION_EXTRA = ((13, 3), (14, 2), (15, 2), (16, 2), (17, 1))


class SellerPool:
    """A seller's SKU universe, shared by all accounts of that seller.

    ``seller`` None is the sandbox's own seller (accounts without a ``<seller>/`` prefix); a
    named seller draws everything from labels of its own, so its SKUs (part numbers, names,
    EANs) are not another seller's.
    """

    def __init__(self, seed: int, seller: str | None = None) -> None:
        self.seed = seed
        self.seller = seller
        own = () if seller is None else (seller,)
        self._traits_base = label_seed(seed, "sku-traits", *own)
        self._content_base = label_seed(seed, "sku-content", *own)
        self._pn_offset = label_seed(seed, "pn", *own) % (36**6)
        self._pnk_offset = label_seed(seed, "pnk", *own) % (36**5)
        self._ean_offset = label_seed(seed, "ean", *own) % (10**9)
        self._traits: dict[int, SkuTraits] = {}
        self._traits_lock = threading.Lock()

    def traits_cached(self, index: int) -> SkuTraits:
        """Traits shared by every account selling the SKU (computed once per sandbox)."""
        found = self._traits.get(index)
        if found is None:
            found = self.traits(index)
            with self._traits_lock:
                found = self._traits.setdefault(index, found)
        return found

    def traits(self, index: int) -> SkuTraits:
        """The SKU's identity and validation state (cheap: used for every product at start)."""
        rng = rng_for(self._traits_base, index)
        type_index = rng.randrange(len(vocab.PRODUCT_TYPES))
        ptype = vocab.PRODUCT_TYPES[type_index]
        validation = _weighted(rng, _VALIDATION_TABLE)
        translation = validation
        if rng.random() < 0.1:
            translation = _weighted(rng, _TRANSLATION_EXTRA)
        pnk = None
        if validation in APPROVED_VALIDATION:
            pnk = "D" + scramble36(index, 5, 1_000_003, self._pnk_offset) + "MBM"
        low, high = ptype.price_range
        return SkuTraits(
            index=index,
            type_index=type_index,
            part_number=f"{ptype.code}-{scramble36(index, 6, 2_654_435_761, self._pn_offset)}",
            part_number_key=pnk,
            validation=validation,
            translation_validation=translation,
            base_price_cents=rng.randint(low * 100, high * 100),
        )

    def ean(self, index: int, which: int) -> str:
        """A 13-digit EAN with a valid check digit, unique per (SKU, position)."""
        body = (index * 7919 + which * 104_729 + self._ean_offset) % 10**9
        digits = ("594" if which == 0 else "0741") + f"{body:09d}"[: 9 if which == 0 else 8]
        total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
        return digits + str((10 - total % 10) % 10)

    def content(self, sku: SkuTraits, category_ids: dict[str, int]) -> dict[str, Any]:
        """Seller-level content of the SKU: the same in every account that sells it."""
        rng = rng_for(self._content_base, sku.index)
        ptype = vocab.PRODUCT_TYPES[sku.type_index]
        base = rng.choice(ptype.bases)
        spec = rng.choice(ptype.specs)
        features = rng.sample(ptype.features, rng.randint(0, 2))
        color = rng.choice(vocab.COLORS)
        parts = [f"{base} {spec}", *features]
        if rng.random() < 0.7:
            parts.append(color)
        name = ", ".join(parts)
        if rng.random() < 0.25:
            name = " ".join(vocab.FEATURE_WORDS_DIACRITICS.get(w, w) for w in name.split(" "))
        brand = rng.choice(ptype.brands)
        brand_name = brand
        if rng.random() < 0.12:
            brand_name = rng.choice(vocab.BRAND_NAME_OVERRIDES)
        description = f"<p>{base} <strong>{spec}</strong>.</p>"
        if features:
            items = "".join(f"<li>{f}</li>" for f in features)
            sep = "\r\n" if rng.random() < 0.4 else ""
            description += f"{sep}<ul>{items}</ul>"
        images = self._images(rng)
        characteristics = self._characteristics(rng, ptype, color)
        family = None
        if rng.random() < 0.3:
            family = {
                "id": rng.randint(1, 90_000),
                "name": base,
                "family_type_id": rng.randint(150, 400),
            }
        ean_count = _weighted(rng, ((0, 10), (1, 80), (2, 10)))
        manufacturer = vocab.MANUFACTURERS[rng.randrange(len(vocab.MANUFACTURERS))]
        eu_rep = vocab.EU_REPRESENTATIVES[rng.randrange(len(vocab.EU_REPRESENTATIVES))]
        return {
            "name": name,
            "brand": brand,
            "brand_name": brand_name,
            "category_id": category_ids[ptype.category],
            "description": description,
            "warranty": rng.choice((0, 12, 24, 24, 36)),
            "images": images,
            "characteristics": characteristics,
            "family": family,
            "attachments": (
                [{"name": "Manual de utilizare", "url": f"https://marketplace-static.emag.ro/"
                  f"resources/manuals/{rng.randint(10**6, 10**7)}.pdf"}]
                if rng.random() < 0.05 else []
            ),
            "ean": [self.ean(sku.index, i) for i in range(ean_count)],
            "vat_id": ptype.vat_id if rng.random() < 0.95 else 1,
            "has_manufacturer": rng.random() < 0.7,
            "has_eu_rep": rng.random() < 0.4,
            "manufacturer": {"name": manufacturer[0], "address": manufacturer[1],
                             "email": manufacturer[2]},
            "eu_representative": {"name": eu_rep[0], "address": eu_rep[1], "email": eu_rep[2]},
            "safety": rng.choice(vocab.SAFETY_TEXTS) if rng.random() < 0.6 else "",
            "electrical": ptype.code in ELECTRICAL_CODES,
            "slug": base.lower().replace(" ", "-"),
            "errors_kind": rng.random(),
            "weight_kind": rng.random(),
        }

    @staticmethod
    def _images(rng: random.Random) -> list[dict[str, Any]]:
        """0-5 images; the first is main (1), then secondary (2), sometimes other (0)."""
        if rng.random() < 0.08:
            return []
        out = []
        for i in range(rng.randint(1, 5)):
            number = rng.randint(10_000_000, 99_999_999)
            padded = f"{number:012d}"
            path = "/".join(padded[j : j + 3] for j in range(0, 12, 3))
            ext = rng.choice(vocab.IMAGE_EXTENSIONS)
            display = 1 if i == 0 else (0 if rng.random() < 0.1 else 2)
            out.append({
                "url": f"https://marketplace-static.emag.ro/resources/{path}/{number}.{ext}",
                "display_type": display,
            })
        return out

    @staticmethod
    def _characteristics(
        rng: random.Random, ptype: vocab.ProductType, color: str,
    ) -> list[dict[str, Any]]:
        """Characteristic values; sized products carry a ``tag`` on the size."""
        out: list[dict[str, Any]] = []
        for cid, cname in rng.sample(vocab.CHARACTERISTIC_NAMES, rng.randint(0, 4)):
            if cname == "Marime":
                if not ptype.sized:
                    continue
                out.append({"id": cid, "value": str(rng.randint(24, 46)), "tag": "EU"})
                continue
            value = {
                "Culoare": color.split(" ")[0].capitalize(),
                "Conectivitate": rng.choice(("USB", "Bluetooth", "Wi-Fi", "Fara fir")),
                "Material": rng.choice(("Plastic", "Metal", "Bumbac", "Lemn", "Sticla")),
                "Putere": f"{rng.randint(1, 30) * 50} W",
                "Garantie producator": f"{rng.choice((12, 24, 36))} luni",
                "Dimensiuni": f"{rng.randint(5, 80)} x {rng.randint(5, 80)} cm",
                "Varsta": f"{rng.randint(1, 12)}+ ani",
            }[cname]
            out.append({"id": cid, "value": value})
        return out


def money(cents: int) -> str:
    """EMAG's decimal-string price with four decimals, e.g. ``"121.8400"``."""
    return money_e4(cents * 100)


def money_e4(e4: int) -> str:
    """A price held in ten-thousandths of a leu as eMAG serves it: ``"82.6364"``."""
    return f"{e4 // 10_000}.{e4 % 10_000:04d}"


def _opening_draws(rng: random.Random) -> tuple[str, bool, int, bool]:
    """A record's first draws, in order: shape, has a recommended price, its factor, wide bounds.

    Shared by :func:`build_record` and :func:`price_bounds`, so the bounds a write is checked
    against are the ones the record serves.
    """
    shape = _weighted(rng, (("full", 77), ("legacy", 17), ("minimal", 6)))
    has_rec = rng.random() < 0.55
    default_factor = rng.randint(3, 30)
    wide = rng.random() < 0.6
    return shape, has_rec, default_factor, wide


def price_bounds(offer: Offer) -> tuple[int, int]:
    """The offer's ``min_sale_price`` and ``max_sale_price`` in ten-thousandths of a leu.

    Drawn per offer: most offers have eMAG's wide default (1 .. 100387.58), the others
    80 % .. 150 % of the price. They follow the price until a write sets it: eMAG keeps the
    bounds a seller set while the price moves inside them, so the first price write fixes them
    (``bounds_e4``), and even a record shape that does not show them (minimal) has them.
    """
    if offer.bounds_e4 is not None:
        return offer.bounds_e4
    *_, wide = _opening_draws(random.Random(offer.seed))
    if wide:
        return 1_0000, 100387_5800
    cents = offer.price_e4 // 100
    return cents * 80 // 100 * 100, cents * 150 // 100 * 100


def _validation_entry(value: int, content: dict[str, Any], pnk: str | None, offer_seed: int,
                      rng: random.Random) -> dict[str, Any]:
    """One ``{value, description, errors}`` entry with the three observed ``errors`` forms."""
    errors: Any = None
    if value in (5, 6, 8, 12):
        errors = [{"message": rng.choice(vocab.VALIDATION_ERROR_MESSAGES)}]
    elif value in APPROVED_VALIDATION and content["errors_kind"] < 0.15:
        errors = {"status": "error", "doc_id": 40_000_000 + offer_seed % 10_000_000,
                  "part_number_key": pnk}
    return {"value": value, "description": vocab.VALIDATION_DESCRIPTIONS[value], "errors": errors}


def build_record(
    offer: Offer, content: dict[str, Any], *, detail: bool, fbe: bool,
) -> dict[str, Any]:
    """Assemble the served JSON object for one offer.

    ``detail`` is true when the request filtered by ``id``: the GPSR keys then carry the full
    manufacturer / EU-representative lists and the safety text instead of boolean flags.
    """
    rng = random.Random(offer.seed)
    sku = offer.sku
    shape, has_rec, default_factor, _wide = _opening_draws(rng)
    price = offer.price_e4 // 100  # in bani: the prices derived from it are whole bani
    rec_factor = offer.recommended_factor
    if rec_factor is None:
        rec_factor = default_factor if has_rec else None
    recommended = None if rec_factor is None else price * (100 + rec_factor) // 100
    min_e4, max_e4 = price_bounds(offer)
    offers_n = _weighted(rng, ((1, 50), (2, 20), (3, 12), (4, 8), (5, 5), (8, 5)))
    rank: int | None = rng.randint(1, offers_n) if rng.random() < 0.8 else None
    if offers_n == 1 and rank is not None:
        rank = 1
    best = offer.price_e4 if rank == 1 else price * rng.randint(85, 100) // 100 * 100
    if offer.competition and offers_n > 1 and rank is not None:
        # a side generator: the main one's later draws (and so every other field) stay as they
        # were; the rank always moves (a competitor under- or over-bid)
        moved = random.Random(offer.seed * 7919 + offer.competition)
        rank = moved.choice([r for r in range(1, offers_n + 1) if r != rank])
        best = offer.price_e4 if rank == 1 else price * moved.randint(85, 100) // 100 * 100
    with_warehouse = fbe or rng.random() < 0.6
    stock_entry: dict[str, Any] = {"value": offer.stock}
    handling: dict[str, Any] = {"value": 0 if fbe else rng.choice((0, 0, 1, 2, 3))}
    if with_warehouse:
        warehouse = 2 if fbe else 1
        stock_entry = {"warehouse_id": warehouse, "value": offer.stock}
        handling = {"warehouse_id": warehouse, "value": handling["value"]}
    ownership = rng.choice((True, True, 1, 1, 2))
    name = content["name"] + (offer.name_suffix or "")
    pnk = sku.part_number_key
    vstatus = [_validation_entry(sku.validation, content, pnk, offer.seed, rng)]
    tstatus = [_validation_entry(sku.translation_validation, content, pnk, offer.seed, rng)]
    ovs = offer.offer_validation
    leak_safety_text = rng.random() < 0.15  # drawn always: detail and list reads must agree
    if detail:
        manufacturer: Any = [content["manufacturer"]] if content["has_manufacturer"] else []
        eu_rep: Any = [content["eu_representative"]] if content["has_eu_rep"] else []
        safety: Any = content["safety"]
    else:
        manufacturer = content["has_manufacturer"]
        eu_rep = content["has_eu_rep"]
        safety = bool(content["safety"])
        if content["safety"] and leak_safety_text:
            safety = content["safety"]  # seen in real payloads: the text leaks into list reads
    genius = rng.random() < 0.45
    url = ""
    if pnk and rng.random() < 0.3:
        url = f"https://www.emag.ro/{content['slug']}/pd/{pnk}/"

    rec: dict[str, Any] = {
        "id": offer.id,
        "part_number": sku.part_number,
        "part_number_key": pnk,
        "name": name,
        "brand": content["brand"],
        "brand_name": content["brand_name"],
        "category_id": content["category_id"],
        "vendor_category_id": None,
        "description": content["description"],
        "url": url,
        "warranty": content["warranty"],
        "sale_price": money_e4(offer.price_e4),
        "recommended_price": None if recommended is None else money(recommended),
        "min_sale_price": money_e4(min_e4),
        "max_sale_price": money_e4(max_e4),
        "currency": "RON",
        "vat_id": content["vat_id"],
        "status": offer.status,
        "general_stock": offer.stock,
        "estimated_stock": offer.estimated_stock,
        "stock": [stock_entry],
        "handling_time": [handling],
        "availability": [{"value": 3 if offer.stock > 0 else 5}],
        "offer_details": {
            "id": 40_000_000 + offer.seed % 9_000_000,
            "warranty_type": 1,
            "supply_lead_time": rng.choice((7, 14, 14, 21, 30)),
            "emag_club": 1 if rng.random() < 0.4 else 0,
        },
        "reversible_vat_charging": rng.random() < 0.03,
        "commission": (
            None if rng.random() < 0.85
            else {"value": f"{rng.choice((8, 12, 15, 18, 22))}.0000", "type": "percentage"}
        ),
        "images": content["images"],
        "characteristics": content["characteristics"],
        "family": content["family"],
        "attachments": content["attachments"],
        "ean": content["ean"],
        "validation_status": vstatus,
        "translation_validation_status": tstatus,
        "offer_validation_status": {
            "value": ovs, "description": vocab.OFFER_VALIDATION_DESCRIPTIONS[ovs], "errors": None,
        },
        "auto_translated": 1 if rng.random() < 0.1 else 0,
        "ownership": ownership,
        "number_of_offers": offers_n,
        "buy_button_rank": rank,
        "best_offer_sale_price": money_e4(best),
        "best_offer_recommended_price": money(recommended) if recommended else money_e4(best),
        "genius_eligibility": 1 if genius else 0,
        "genius_eligibility_type": rng.choice((1, 2, 3)) if genius else 0,
        "genius_computed": rng.choice((0, 1, 2, 3)) if genius else 0,
        "manufacturer": manufacturer,
        "eu_representative": eu_rep,
        "safety_information": safety,
        "recyclewarranties": 0,
    }
    if content["electrical"] and rng.random() < 0.5:
        rec["green_tax"] = rng.choice(("0.5000", "1.2000", "4.0000"))
    if shape == "legacy":
        for key in ("vendor_category_id", "genius_eligibility_type", "genius_computed",
                    "manufacturer", "eu_representative", "safety_information",
                    "recyclewarranties"):
            rec.pop(key, None)
        rec["weight"] = "0.000000" if content["weight_kind"] < 0.8 else "1.250000"
    elif shape == "minimal":
        keep = ("id", "part_number", "part_number_key", "name", "brand", "category_id",
                "sale_price", "recommended_price", "currency", "vat_id", "status",
                "general_stock", "estimated_stock", "stock", "images", "ean",
                "validation_status", "offer_validation_status", "ownership", "number_of_offers",
                "buy_button_rank", "green_tax")
        rec = {k: rec[k] for k in keep if k in rec}
    if rng.random() < 0.02:
        rec["sustainability_score"] = rng.randint(1, 5)
    return rec
