"""The category tree, VAT rates and handling times of one (emulated) eMAG RO platform.

Category ids are drawn from the seed so clients cannot hard-code them; the product catalogue
takes its ``category_id`` values from this tree.
"""

# ruff: noqa: S311  -- seeded, reproducible test data; nothing here is security-relevant

from __future__ import annotations

import random
from typing import Any

from emag_sandbox import vocab
from emag_sandbox.rng import label_seed

VAT_RATES: list[dict[str, Any]] = [
    {"vat_id": 1, "vat_rate": 0.21, "is_default": 1},
    {"vat_id": 2, "vat_rate": 0.11, "is_default": 0},
    {"vat_id": 3, "vat_rate": 0.0, "is_default": 0},
]

HANDLING_TIMES: list[dict[str, int]] = [{"id": value} for value in (0, 1, 2, 3, 4, 5, 7, 10, 14)]


def _family_types(rng: random.Random, next_id: list[int]) -> list[dict[str, Any]]:
    """Zero to two family types (variation axes) for a leaf category."""
    out = []
    for name in rng.sample(vocab.FAMILY_TYPE_NAMES, rng.choice((0, 1, 1, 2))):
        next_id[0] += rng.randint(1, 40)
        out.append({
            "id": next_id[0],
            "name": name,
            "characteristics": [{
                "characteristic_id": rng.choice(vocab.CHARACTERISTIC_NAMES)[0],
                "characteristic_family_type_id": rng.choice((1, 2)),
                "is_foldable": rng.choice((0, 1)),
                "display_order": 1,
            }],
        })
    return out


def build_categories(seed: int) -> list[dict[str, Any]]:
    """About 200 categories (parents, children, accessory leaves), ordered by id."""
    rng = random.Random(label_seed(seed, "categories"))
    cats: list[dict[str, Any]] = []
    next_id = [rng.randint(2000, 2600)]
    family_id = [rng.randint(100, 300)]

    def add(name: str, parent: int | None, leaf: bool) -> int:
        next_id[0] += rng.randint(1, 37)
        cats.append({
            "id": next_id[0],
            "name": name,
            "is_allowed": 1 if (leaf and rng.random() < 0.85) else 0,
            "parent_id": parent,
            "is_ean_mandatory": 1 if rng.random() < 0.6 else 0,
            "is_warranty_mandatory": 1 if rng.random() < 0.4 else 0,
            "family_types": _family_types(rng, family_id) if leaf else [],
        })
        return next_id[0]

    for parent_name, children in vocab.CATEGORY_TREE.items():
        parent_id = add(parent_name, None, False)
        for i, child in enumerate(children):
            child_id = add(child, parent_id, True)
            if i % 2 == 0:
                suffix = vocab.CATEGORY_ACCESSORY_SUFFIXES[i % 4 // 2]
                add(f"{suffix} {child.lower()}", child_id, True)
    cats.sort(key=lambda c: c["id"])
    return cats


def category_ids_by_name(categories: list[dict[str, Any]]) -> dict[str, int]:
    """Map a category name to its id (names are unique in the tree)."""
    return {c["name"]: c["id"] for c in categories}


def category_characteristics(category: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``characteristics`` list eMAG adds when one category is read by id."""
    rng = random.Random(label_seed("category-characteristics", category["id"]))
    chosen = rng.sample(vocab.CHARACTERISTIC_NAMES, rng.randint(2, 5))
    return [
        {
            "id": cid,
            "name": name,
            "type_id": rng.choice((1, 2, 11, 20)),
            "display_order": order,
            "is_mandatory": 1 if rng.random() < 0.3 else 0,
            "is_filter": 1 if rng.random() < 0.5 else 0,
            "allow_new_value": 1,
            "values": [],
            "tags": ["EU", "UK"] if name == "Marime" else [],
        }
        for order, (cid, name) in enumerate(chosen, start=1)
    ]
