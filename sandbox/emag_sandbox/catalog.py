"""One account's product catalogue: deterministic generation, filtering and seeded mutations.

The catalogue holds only small :class:`~emag_sandbox.products.Offer` cores (about 200 bytes
each); records are built when served, so 100,000 products start in about a second and a
mutation is visible on the very next request. Cores are immutable and replaced on change, so a
page snapshot taken under the lock stays consistent while a mutation runs.

Optional malformed items (:mod:`emag_sandbox.bad_records`) are kept apart from the offers:
reads and counts see both, while mutations and :meth:`Catalog.records` see the offers only.
Schema drift (:mod:`emag_sandbox.drift`) is applied when a record is built, so page reads, id
reads and :meth:`Catalog.records` serve the same drifted offers.
"""

# ruff: noqa: S311  -- seeded, reproducible test data; nothing here is security-relevant

from __future__ import annotations

import bisect
import heapq
import random
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from emag_sandbox import bad_records, drift
from emag_sandbox.bad_records import BadItem
from emag_sandbox.products import Offer, SellerPool, SkuTraits, build_record
from emag_sandbox.rng import label_seed, mix, rng_for

MAX_ID = 4_294_967_295
SHARE_OF_POOL = 75  # percent of the seller's SKUs an account sells
NAME_SUFFIXES = (" - editie 2025", " (model nou)", " - resigilat", " - pachet promo", " v2")
BAD_SKU_BASE = 1_000_000_000  # pool indices of bad items' SKUs: far above any real catalogue
ORDERABLE = frozenset({9, 11, 12})  # validation statuses that are for sale and have a PNK

Entry = Offer | BadItem


class Catalog:
    """Products of one account, ordered by id."""

    def __init__(
        self, seed: int, account: str, size: int, pool: SellerPool,
        category_ids: dict[str, int], fbe: bool, bad_count: int = 0, drift_every: int = 0,
    ) -> None:
        self.seed = seed
        self.drift_every = drift.check_drift(drift_every)  # 0 = off; see set_drift
        self.account = account
        self.fbe = fbe
        self._pool = pool
        self._category_ids = category_ids
        self._lock = threading.RLock()
        self._pick_base = label_seed(seed, "pick", account)
        self._offer_base = label_seed(seed, "offer", account)
        self._next_pool = 0
        self._ordinal = 0
        self._mutations = 0
        self._offers: dict[int, Offer] = {}
        self._ids: list[int] = []
        rng = random.Random(label_seed(seed, "ids", account))
        next_id = rng.randint(1, 9)
        for i in range(size):
            offer_id = MAX_ID if (i == size - 1 and size > 1) else next_id
            self._add(self._new_offer(rng, offer_id))
            next_id += self._gap(rng)
        self._next_id = next_id
        self._base_ids = tuple(self._ids)  # bad items are placed in these gaps, whatever happens
        self._base_next_id = next_id
        self._bad_base = label_seed(seed, "bad", account)
        self._bad: list[BadItem] = []
        self._bad_keys: list[int] = []
        self.set_bad_records(bad_count)

    # ---- generation -------------------------------------------------------------------

    @staticmethod
    def _gap(rng: random.Random) -> int:
        """Spread ids out: mostly small gaps, now and then a big jump."""
        if rng.random() < 0.01:
            return rng.randint(1_000, 50_000)
        return 1 + int(rng.expovariate(0.15))

    def _next_sku(self) -> SkuTraits:
        """Take the next SKU of the seller pool that this account sells."""
        while mix(self._pick_base, self._next_pool) % 100 >= SHARE_OF_POOL:
            self._next_pool += 1
        traits = self._pool.traits_cached(self._next_pool)
        self._next_pool += 1
        return traits

    def _new_offer(self, rng: random.Random, offer_id: int) -> Offer:
        """Draw a fresh offer core for the next SKU."""
        sku = self._next_sku()
        status = 1
        r = rng.random()
        if r < 0.08:
            status = 0
        elif r < 0.12:
            status = 2
        stock = 0 if rng.random() < 0.2 else int(rng.paretovariate(1.2) * 3)
        stock = min(stock, 9_999)
        factor = rng.randint(92, 108) if self.fbe else rng.randint(95, 105)
        offer = Offer(
            id=offer_id,
            sku=sku,
            seed=mix(self._offer_base, self._ordinal),
            status=status,
            price_e4=max(100, sku.base_price_cents * factor // 100) * 100,
            stock=stock,
            estimated_stock=max(0, stock - rng.randint(0, min(3, stock))),
            offer_validation=2 if rng.random() < 0.04 else 1,
        )
        self._ordinal += 1
        return offer

    def _add(self, offer: Offer) -> None:
        self._offers[offer.id] = offer
        if not self._ids or offer.id > self._ids[-1]:
            self._ids.append(offer.id)
        else:
            bisect.insort(self._ids, offer.id)

    # ---- bad records ------------------------------------------------------------------

    def set_bad_records(self, count: int) -> None:
        """Serve ``count`` malformed items; the same count always gives the same items."""
        count = bad_records.check_count(count)
        keys = bad_records.plan_keys(self._base_ids, self._base_next_id, MAX_ID, count,
                                     label_seed(self._bad_base, "keys", count))
        items = [BadItem(bad_records.kind_of(i), self._bad_offer(i, key))
                 for i, key in enumerate(keys)]
        with self._lock:
            self._bad = items
            self._bad_keys = keys

    @property
    def bad_count(self) -> int:
        """How many malformed items are served."""
        return len(self._bad)

    def _bad_offer(self, index: int, key: int) -> Offer:
        """A saleable core for a bad item, with its own SKU and a full-shaped record.

        Full shape means every field a kind breaks (description, images, GPSR...) is present.
        """
        rng = rng_for(self._bad_base, index)
        sku = self._pool.traits_cached(BAD_SKU_BASE + index)
        stock = rng.randint(1, 60)
        core = Offer(id=key, sku=sku, seed=0, status=1, price_e4=sku.base_price_cents * 100,
                     stock=stock, estimated_stock=stock - rng.randint(0, 1), offer_validation=1)
        for attempt in range(64):
            core = replace(core, seed=mix(self._bad_base, index * 64 + attempt))
            rec = self.record(core)
            if "manufacturer" in rec and "description" in rec:
                break
        return core

    def bad_listing(self) -> list[dict[str, Any]]:
        """Each bad item with its kind and 0-based position in the unfiltered served order."""
        with self._lock:
            items = list(self._bad)
            positions = bad_records.served_positions(self._ids, self._bad_keys)
        return [{"kind": item.kind, "position": pos, "item": self.record(item)}
                for item, pos in zip(items, positions, strict=True)]

    # ---- reading ----------------------------------------------------------------------

    def __len__(self) -> int:
        """Well-formed offers only (bad items are counted by :meth:`served_count`)."""
        return len(self._ids)

    def select(self, predicate: Callable[[Offer], bool] | None) -> list[Offer]:
        """Snapshot of the offers matching ``predicate`` (all when None), ordered by id."""
        with self._lock:
            offers = [self._offers[i] for i in self._ids]
        if predicate is None:
            return offers
        return [o for o in offers if predicate(o)]

    def matching(self, predicate: Callable[[Offer], bool], by_id: bool) -> list[Entry]:
        """Offers and bad items a filtered read returns, in served order.

        A bad item is filtered through the core it was built from; one without an id never
        matches an id filter (``by_id``).
        """
        with self._lock:
            offers = [self._offers[i] for i in self._ids]
            bad = list(self._bad)
        hits: list[Entry] = [o for o in offers if predicate(o)]
        bad_hits = [b for b in bad if (b.has_id or not by_id) and predicate(b.offer)]
        if not bad_hits:
            return hits
        return list(heapq.merge(hits, bad_hits, key=_sort_key))

    def served_count(self) -> int:
        """Items an unfiltered read serves: offers plus bad items."""
        with self._lock:
            return len(self._ids) + len(self._bad)

    def page(self, offset: int, limit: int) -> list[Entry]:
        """Unfiltered page, bad items included, without materialising the whole list."""
        with self._lock:
            if not self._bad:
                return [self._offers[i] for i in self._ids[offset : offset + limit]]
            positions = bad_records.served_positions(self._ids, self._bad_keys)
            j = bisect.bisect_left(positions, offset)
            n = offset - j  # offers served before ``offset``
            out: list[Entry] = []
            while len(out) < limit:
                if j < len(positions) and positions[j] == offset + len(out):
                    out.append(self._bad[j])
                    j += 1
                elif n < len(self._ids):
                    out.append(self._offers[self._ids[n]])
                    n += 1
                else:
                    break
            return out

    def get(self, offer_id: int) -> Offer | None:
        """The offer with this id, if it exists."""
        with self._lock:
            return self._offers.get(offer_id)

    def set_drift(self, every: int) -> None:
        """Serve every offer whose id is divisible by ``every`` with drifted keys (0 = off)."""
        self.drift_every = drift.check_drift(every)

    def record(self, entry: Entry, detail: bool = False) -> dict[str, Any]:
        """The served JSON object of an offer or a bad item.

        A well-formed offer whose id is divisible by :attr:`drift_every` gets the drifted keys; bad
        items never do (they are malformed in their own way).
        """
        offer = entry.offer if isinstance(entry, BadItem) else entry
        content = self._pool.content(offer.sku, self._category_ids)
        rec = build_record(offer, content, detail=detail, fbe=self.fbe)
        if isinstance(entry, BadItem):
            return bad_records.malform(entry, rec)
        if drift.drifts(offer.id, self.drift_every):
            return drift.drift_offer(rec, offer.id, offer.seed)
        return rec

    def records(self) -> list[dict[str, Any]]:
        """Every well-formed product as an unfiltered read serves it, ordered by id."""
        return [self.record(o) for o in self.select(None)]

    # ---- orders -----------------------------------------------------------------------

    def pick_saleable(self, rng: random.Random, count: int) -> list[Offer]:
        """Up to ``count`` distinct offers a buyer could order now, drawn with ``rng``.

        Saleable is eMAG's rule (status 1, stock, saleable offer, approved documentation) plus
        a PNK, which an order line names. Random probes find them in a big catalogue without a
        scan; a scan is the fallback, so a nearly sold-out account still sells its last units.
        """
        with self._lock:
            found: dict[int, Offer] = {}
            if self._ids:
                for _ in range(16 * count):
                    offer = self._offers[self._ids[rng.randrange(len(self._ids))]]
                    if _saleable(offer):
                        found.setdefault(offer.id, offer)
                        if len(found) == count:
                            return list(found.values())
            rest = [o for o in (self._offers[i] for i in self._ids)
                    if o.id not in found and _saleable(o)]
            extra = rng.sample(rest, min(count - len(found), len(rest)))
            return [*found.values(), *extra]

    def adjust_stock(self, offer_id: int, delta: int) -> Offer | None:
        """Add ``delta`` units (negative: take) to an offer; None when it no longer exists.

        ``general_stock``, the ``stock`` list (built from it) and ``estimated_stock`` move
        together, never below 0, so the next ``product_offer/read`` shows the change.
        """
        with self._lock:
            offer = self._offers.get(offer_id)
            if offer is None:
                return None
            new = replace(offer, stock=max(0, offer.stock + delta),
                          estimated_stock=max(0, offer.estimated_stock + delta))
            self._offers[offer_id] = new
            return new

    def put(self, offer: Offer) -> None:
        """Replace the core of an existing offer (a write); the next read serves the new one."""
        with self._lock:
            if offer.id not in self._offers:
                raise KeyError(f"account {self.account!r} has no offer {offer.id}")
            self._offers[offer.id] = offer

    def vat_id(self, offer: Offer) -> int:
        """The offer's ``vat_id``, as its record serves it."""
        return int(self._pool.content(offer.sku, self._category_ids)["vat_id"])

    # ---- mutation ---------------------------------------------------------------------

    def mutate(
        self, changed: int = 0, added: int = 0, deleted: int = 0, end_of_life: int = 0,
        seed: int = 0,
    ) -> dict[str, list[int]]:
        """Apply a seeded batch of changes; returns the disjoint id sets it touched."""
        for label, n in (("changed", changed), ("added", added), ("deleted", deleted),
                         ("end_of_life", end_of_life)):
            if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                raise ValueError(f"{label} must be a non-negative integer")
        with self._lock:
            rng = random.Random(label_seed(self.seed, self.account, "mutate", seed,
                                           self._mutations, len(self._ids)))
            self._mutations += 1
            eol_candidates = [i for i in self._ids if self._offers[i].status != 2]
            if end_of_life > len(eol_candidates):
                raise ValueError(f"only {len(eol_candidates)} products can reach end of life")
            eol_ids = rng.sample(eol_candidates, end_of_life)
            eol_set = set(eol_ids)
            rest = [i for i in self._ids if i not in eol_set]
            if changed + deleted > len(rest):
                raise ValueError(
                    f"account {self.account!r} has {len(self._ids)} products: cannot change "
                    f"{changed}, delete {deleted} and end {end_of_life}")
            picked = rng.sample(rest, changed + deleted)
            changed_ids, deleted_ids = picked[:changed], picked[changed:]
            for offer_id in eol_ids:
                self._offers[offer_id] = replace(self._offers[offer_id], status=2)
            for offer_id in changed_ids:
                self._offers[offer_id] = self._changed(rng, self._offers[offer_id])
            self._delete(deleted_ids)
            added_ids = []
            for _ in range(added):
                offer = self._new_offer(rng, self._next_id)
                self._next_id += self._gap(rng)
                self._add(offer)
                added_ids.append(offer.id)
        return {
            "changed": sorted(changed_ids),
            "added": added_ids,
            "deleted": sorted(deleted_ids),
            "end_of_life": sorted(eol_ids),
        }

    def _delete(self, ids: Iterable[int]) -> None:
        gone = set(ids)
        if not gone:
            return
        for offer_id in gone:
            del self._offers[offer_id]
        self._ids = [i for i in self._ids if i not in gone]

    def _changed(self, rng: random.Random, old: Offer) -> Offer:
        """A change that alters the served JSON.

        Price, stock, both, name, recommended price, or competition: other sellers moved, so an
        offer with rivals gets another buy-button rank.
        """
        kind = rng.choices(("price", "stock", "both", "name", "recommended", "competition"),
                           weights=(38, 26, 10, 7, 6, 13))[0]
        new = old
        if kind in ("price", "both"):
            new = replace(new, price_e4=self._new_price(rng, old.price_e4))
        if kind in ("stock", "both"):
            stock = old.stock
            while stock == old.stock:
                stock = 0 if rng.random() < 0.15 else rng.randint(1, 500)
            new = replace(new, stock=stock,
                          estimated_stock=max(0, stock - rng.randint(0, min(3, stock))))
        if kind == "name":
            choices = [s for s in NAME_SUFFIXES if s != old.name_suffix]
            new = replace(new, name_suffix=rng.choice(choices))
        if kind == "recommended":
            new = replace(new, recommended_factor=rng.randint(31, 60))
        if kind == "competition":
            new = replace(new, competition=old.competition + rng.randint(1, 9))
        if self.record(new) == self.record(old):  # e.g. a record without that field
            new = replace(new, price_e4=self._new_price(rng, old.price_e4))
        return new

    @staticmethod
    def _new_price(rng: random.Random, e4: int) -> int:
        """Another price in whole bani (as ten-thousandths), drawn on the old one's bani."""
        cents = e4 // 100
        new = cents
        while new * 100 == e4:
            new = max(100, cents * rng.randint(80, 120) // 100 + rng.randint(-99, 99))
        return new * 100


def _saleable(offer: Offer) -> bool:
    """Orderable: eMAG's for-sale rule, restricted to validated products (they have a PNK)."""
    return (offer.status == 1 and offer.stock > 0 and offer.offer_validation == 1
            and offer.sku.part_number_key is not None and offer.sku.validation in ORDERABLE)


def _sort_key(entry: Entry) -> int:
    """Served order: by id, bad items by the id they have (or would have)."""
    return entry.key if isinstance(entry, BadItem) else entry.id
