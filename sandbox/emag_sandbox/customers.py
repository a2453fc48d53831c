"""Buyers of emulated orders: Romanian-looking personal data, made up and seeded.

An order's ``customer`` is personal data (names, phones, addresses). The values here are
invented from small word lists, so a test or a demo can carry them freely, while still looking
like what a Romanian seller's orders hold: diacritics in some names, județ (county) and
postal codes that match the city, 07xx mobile numbers, eMAG's masked e-mail addresses, and now
and then a company buyer with its fiscal code, trade-register number and IBAN.
"""

# ruff: noqa: S311  -- seeded, reproducible test data; nothing here is security-relevant

from __future__ import annotations

import random
from typing import Any

MALE_FIRST = ("Andrei", "Alexandru", "Mihai", "Ionuț", "Ion", "Gabriel", "Florin", "Cristian",
              "Bogdan", "Răzvan", "Adrian", "Marius", "Vlad", "Ștefan", "Dan", "Sorin", "Radu",
              "Cosmin", "George", "Lucian")
FEMALE_FIRST = ("Maria", "Elena", "Ioana", "Andreea", "Ana", "Cristina", "Mihaela", "Alexandra",
                "Raluca", "Gabriela", "Diana", "Simona", "Roxana", "Irina", "Oana", "Larisa",
                "Bianca", "Daniela", "Carmen", "Alina")
LAST_NAMES = ("Popescu", "Ionescu", "Popa", "Pop", "Radu", "Dumitru", "Stan", "Stoica", "Gheorghe",
              "Matei", "Ciobanu", "Rusu", "Munteanu", "Constantin", "Mocanu", "Lungu", "Mureșan",
              "Florea", "Nistor", "Marin", "Tudor", "Dobre", "Barbu", "Nedelcu", "Țurcanu",
              "Șerban", "Moldovan", "Avram", "Ene", "Dinu")
# (city, județ, postal-code prefix: the first three digits of the city's codes)
CITIES = (
    ("București", "București", "0"), ("Cluj-Napoca", "Cluj", "400"), ("Iași", "Iași", "700"),
    ("Timișoara", "Timiș", "300"), ("Constanța", "Constanța", "900"), ("Craiova", "Dolj", "200"),
    ("Brașov", "Brașov", "500"), ("Galați", "Galați", "800"), ("Ploiești", "Prahova", "100"),
    ("Oradea", "Bihor", "410"), ("Sibiu", "Sibiu", "550"), ("Bacău", "Bacău", "600"),
    ("Pitești", "Argeș", "110"), ("Arad", "Arad", "310"), ("Suceava", "Suceava", "720"),
    ("Voluntari", "Ilfov", "077"), ("Târgu Mureș", "Mureș", "540"),
    ("Baia Mare", "Maramureș", "430"),
)
STREETS = ("Str. Mihai Eminescu", "Bd. Unirii", "Str. Libertății", "Calea Victoriei",
           "Str. Florilor", "Bd. Decebal", "Str. Ion Creangă", "Aleea Trandafirilor",
           "Str. Avram Iancu", "Bd. Republicii", "Șos. Pantelimon", "Str. Zorilor",
           "Calea Moșilor", "Str. Teilor", "Bd. Independenței", "Str. Mărășești")
COMPANY_WORDS = ("Alfa", "Carpați", "Delta", "Nord", "Vest", "Prim", "Dacia", "Tehno", "Agro",
                 "Construct", "Logistic", "Med", "Impex", "Trading", "Serv")
BANKS = (("Banca Transilvania", "BTRL"), ("BCR", "RNCB"), ("BRD", "BRDE"), ("ING Bank", "INGB"),
         ("Raiffeisen Bank", "RZBR"), ("CEC Bank", "CECE"))
LOCKER_NAMES = ("easybox Kaufland", "easybox Lidl", "easybox Mega Image", "easybox OMV",
                "easybox Profi", "easybox Petrom", "easybox Carrefour Market", "easybox Penny")
MASKED_EMAIL_DOMAIN = "marketplace.emag.ro"


def _phone(rng: random.Random) -> str:
    return f"07{rng.choice('2345678')}{rng.randint(0, 9_999_999):07d}"


def _postal_code(rng: random.Random, prefix: str) -> str:
    if prefix == "0":  # Bucharest: sector digit, then four
        return f"0{rng.randint(1, 6)}{rng.randint(0, 9999):04d}"
    return f"{prefix}{rng.randint(0, 999):03d}"


def _address(rng: random.Random) -> dict[str, str]:
    city, county, prefix = rng.choice(CITIES)
    street = f"{rng.choice(STREETS)} nr. {rng.randint(1, 180)}"
    if rng.random() < 0.5:
        street += f", bl. {rng.choice('ABCDEFGM')}{rng.randint(1, 30)}, ap. {rng.randint(1, 90)}"
    if city == "București":
        county = f"Sector {rng.randint(1, 6)}"
    return {"city": city, "suburb": county, "street": street,
            "postal_code": _postal_code(rng, prefix)}


def build_customer(seed: int, customer_id: int) -> dict[str, Any]:
    """The ``customer`` object of an order, a pure function of ``seed`` and ``customer_id``."""
    rng = random.Random(seed)
    female = rng.random() < 0.5
    first = rng.choice(FEMALE_FIRST if female else MALE_FIRST)
    name = f"{first} {rng.choice(LAST_NAMES)}"
    phone = _phone(rng)
    billing = _address(rng)
    shipping = billing if rng.random() < 0.75 else _address(rng)
    company = rng.random() < 0.12
    customer: dict[str, Any] = {
        "id": customer_id,
        "mkt_id": customer_id,
        "name": name,
        "email": f"{rng.getrandbits(80):020x}@{MASKED_EMAIL_DOMAIN}",
        "company": "",
        "gender": "F" if female else "M",
        "code": "",
        "registration_number": "",
        "bank": "",
        "iban": "",
        "fax": "",
        "legal_entity": 0,
        "is_vat_payer": 0,
        "phone_1": phone,
        "phone_2": "",
        "phone_3": "",
        "billing_name": name,
        "billing_phone": phone,
        "billing_country": "RO",
        "billing_suburb": billing["suburb"],
        "billing_city": billing["city"],
        "billing_locality_id": 8_000 + rng.randint(0, 9_999),
        "billing_street": billing["street"],
        "billing_postal_code": billing["postal_code"],
        "shipping_country": "RO",
        "shipping_suburb": shipping["suburb"],
        "shipping_city": shipping["city"],
        "shipping_locality_id": 8_000 + rng.randint(0, 9_999),
        "shipping_street": shipping["street"],
        "shipping_postal_code": shipping["postal_code"],
        "shipping_contact": name,
        "shipping_phone": phone if rng.random() < 0.85 else _phone(rng),
    }
    if company:
        bank, code = rng.choice(BANKS)
        firm = f"SC {rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_WORDS)} SRL"
        customer.update({
            "company": firm,
            "code": f"RO{rng.randint(1_000_000, 49_999_999)}",
            "registration_number": f"J{rng.randint(1, 52):02d}/{rng.randint(100, 9999)}/"
                                   f"{rng.randint(2005, 2024)}",
            "bank": bank,
            "iban": f"RO{rng.randint(10, 99)}{code}{rng.randint(0, 10**16 - 1):016d}",
            "legal_entity": 1,
            "is_vat_payer": 1,
            "billing_name": firm,
        })
    return customer


def locker_details(rng: random.Random) -> dict[str, Any]:
    """An order's ``details`` for a delivery to an easybox locker."""
    return {"locker_id": f"{rng.randint(100, 9_999)}", "locker_name": rng.choice(LOCKER_NAMES),
            "locker_delivery_eligible": 1}
