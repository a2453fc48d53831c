"""Static Romanian vocabulary the catalogue is assembled from.

Kept apart from the generators so the data can grow without touching logic. Names follow the
style of real eMAG RO listings: ASCII-folded most of the time, with diacritics on a share of them.
"""

from __future__ import annotations

from typing import NamedTuple


class ProductType(NamedTuple):
    """One kind of product: how its SKU, name, category and price look."""

    code: str
    category: str
    bases: tuple[str, ...]
    specs: tuple[str, ...]
    features: tuple[str, ...]
    brands: tuple[str, ...]
    price_range: tuple[int, int]
    vat_id: int
    sized: bool = False


COLORS = (
    "negru", "negru mat", "alb", "gri", "argintiu", "rosu", "albastru", "verde", "roz",
    "bej", "maro", "auriu", "turcoaz", "mov",
)

PRODUCT_TYPES: tuple[ProductType, ...] = (
    ProductType(
        "LMP", "Lampi de birou",
        ("Lampa LED birou", "Lampa de birou", "Lampa LED de veghe"),
        ("cu incarcare wireless", "cu brat flexibil", "cu senzor tactil", "cu clema"),
        ("5 moduri de lumina", "intensitate reglabila", "port USB", "temporizator 60 min"),
        ("Elindor", "Philips", "OEM", "Xiaomi", "Hama"), (49, 399), 1,
    ),
    ProductType(
        "BB", "Marsupii si sisteme de purtare",
        ("Marsupiu ergonomic", "Sistem de purtare bebe", "Sling elastic"),
        ("cu gluga detasabila pentru bebe", "pentru nou-nascuti", "din bumbac organic"),
        ("pozitia M", "5-18 kg", "bretele captusite", "husa de ploaie inclusa"),
        ("Elindor", "OEM", "Chicco", "BabyBjorn", "Kidsee"), (89, 699), 2,
    ),
    ProductType(
        "HUM", "Umidificatoare",
        ("Umidificator aer", "Difuzor aromaterapie", "Umidificator ultrasonic"),
        ("aromaterapie 220 ml", "cu ultrasunete 3 l", "cu lumina ambientala", "silentios"),
        ("oprire automata", "7 culori LED", "telecomanda", "timer 1/3/6 h"),
        ("OEM", "Elindor", "Beurer", "Philips", "Trisa"), (39, 549), 1,
    ),
    ProductType(
        "FRB", "Fierbatoare",
        ("Fierbator electric", "Cana electrica", "Fierbator din sticla"),
        ("1.7 l", "1 l", "cu control temperatura", "din otel inoxidabil"),
        ("2200 W", "oprire automata", "filtru anticalcar", "baza 360 grade"),
        ("Tefal", "Philips", "Bosch", "Heinner", "Samus"), (69, 459), 1,
    ),
    ProductType(
        "ASP", "Aspiratoare",
        ("Aspirator vertical", "Aspirator fara sac", "Aspirator robot"),
        ("fara fir", "cu filtru HEPA", "cu mop", "ciclonic"),
        ("autonomie 45 min", "putere 150 AW", "perie motorizata", "recipient 0.6 l"),
        ("Bosch", "Samsung", "Philips", "Rowenta", "Xiaomi"), (299, 3299), 1,
    ),
    ProductType(
        "TIG", "Tigai si craticioare",
        ("Tigaie", "Tigaie wok", "Set tigai"),
        ("28 cm", "24 cm", "cu invelis ceramic", "din aluminiu forjat"),
        ("compatibila inductie", "maner detasabil", "fara PFOA", "indicator Thermo-Spot"),
        ("Tefal", "Berlinger Haus", "Heinner", "OEM", "Zwilling"), (49, 799), 1,
    ),
    ProductType(
        "CST", "Casti audio",
        ("Casti wireless", "Casti in-ear", "Casti over-ear"),
        ("Bluetooth 5.3", "cu anulare activa a zgomotului", "pentru sport", "cu microfon"),
        ("autonomie 30 h", "incarcare rapida", "rezistente la apa IPX5", "carcasa de incarcare"),
        ("Samsung", "JBL", "Sony", "Philips", "OEM"), (59, 1899), 1,
    ),
    ProductType(
        "HUS", "Huse telefoane",
        ("Husa telefon", "Husa tip carte", "Husa silicon"),
        ("pentru Samsung Galaxy S24", "pentru iPhone 15", "pentru Xiaomi Redmi Note 13"),
        ("protectie camera", "inchidere magnetica", "anti-soc", "transparenta"),
        ("OEM", "Spigen", "Samsung", "Elindor"), (19, 149), 1,
    ),
    ProductType(
        "PRT", "Periute de dinti electrice",
        ("Periuta de dinti electrica", "Periuta sonica", "Irigator bucal"),
        ("cu 3 moduri de curatare", "cu senzor de presiune", "pentru copii"),
        ("2 capete incluse", "autonomie 14 zile", "timer 2 minute", "etui de calatorie"),
        ("Philips", "Oral-B", "Xiaomi", "OEM"), (79, 899), 1,
    ),
    ProductType(
        "JUC", "Jucarii de constructie",
        ("Set de constructie", "Jucarie magnetica", "Joc educativ"),
        ("120 piese", "pentru copii 3+ ani", "cu roti", "din lemn"),
        ("piese mari", "cutie de depozitare", "certificat CE", "culori vii"),
        ("Elindor", "OEM", "LEGO", "Clementoni"), (29, 599), 1,
    ),
    ProductType(
        "CAM", "Camasi barbati",
        ("Camasa barbati", "Camasa slim fit", "Camasa casual"),
        ("din bumbac", "cu maneca lunga", "in carouri", "din in"),
        ("guler clasic", "croiala dreapta", "nasturi sidefati", "usor de calcat"),
        ("OEM", "Elindor", "Tommy Hilfiger", "Lee Cooper"), (59, 449), 1, True,
    ),
    ProductType(
        "GHT", "Ghetuta si incaltaminte copii",
        ("Ghete copii", "Pantofi sport copii", "Sandale copii"),
        ("din piele naturala", "cu scai", "impermeabile", "usoare"),
        ("talpa antiderapanta", "interior captusit", "branț detasabil", "design reflectorizant"),
        ("OEM", "Elindor", "Bibi", "Geox"), (69, 349), 1, True,
    ),
    ProductType(
        "CRT", "Carti pentru copii",
        ("Carte de colorat", "Carte cu povesti", "Carte interactiva"),
        ("pentru copii 4-6 ani", "cu autocolante", "cartonata", "ilustrata"),
        ("64 pagini", "format A4", "editie 2025", "limba romana"),
        ("Litera", "Arthur", "Didactica Publishing House", "OEM"), (15, 119), 2,
    ),
    ProductType(
        "CAF", "Cafea",
        ("Cafea boabe", "Cafea macinata", "Capsule cafea"),
        ("1 kg", "500 g", "100% Arabica", "intensitate 8"),
        ("prajire medie", "origine Brazilia", "ambalaj cu valva", "aroma de ciocolata"),
        ("Lavazza", "Tchibo", "Jacobs", "Illy", "OEM"), (25, 189), 2,
    ),
    ProductType(
        "BRM", "Bormasini si surubelnite",
        ("Masina de gaurit", "Surubelnita cu acumulator", "Ciocan rotopercutor"),
        ("18 V", "cu 2 acumulatori", "800 W", "cu percutie"),
        ("cutie de transport", "mandrina rapida", "lumina LED", "20 trepte de cuplu"),
        ("Bosch", "Makita", "Einhell", "Black+Decker", "OEM"), (149, 1599), 1,
    ),
    ProductType(
        "SUP", "Suplimente alimentare",
        ("Supliment alimentar", "Vitamina C", "Magneziu"),
        ("60 capsule", "1000 mg", "cu eliberare prelungita", "pentru adulti"),
        ("fara gluten", "vegan", "cura de 30 zile", "fabricat in UE"),
        ("Solgar", "Secom", "Walmark", "OEM"), (19, 249), 3,
    ),
    ProductType(
        "BEC", "Becuri inteligente",
        ("Bec LED inteligent", "Banda LED RGB", "Bec smart"),
        ("E27 9 W", "5 m", "Wi-Fi", "compatibil Alexa"),
        ("16 milioane de culori", "control din aplicatie", "programare orara", "2700-6500 K"),
        ("Philips", "Xiaomi", "TP-Link", "OEM"), (29, 299), 1,
    ),
    ProductType(
        "SAL", "Saltele si perne",
        ("Perna ortopedica", "Topper saltea", "Perna memory foam"),
        ("60 x 40 cm", "160 x 200 cm", "cu husa detasabila", "hipoalergenica"),
        ("husa lavabila", "spuma cu memorie", "respirabila", "fermitate medie"),
        ("Elindor", "OEM", "Somnart", "Dormeo"), (59, 1299), 1,
    ),
)

BRAND_NAME_OVERRIDES = ("OEM", "Generic")

FEATURE_WORDS_DIACRITICS = {
    "Lampa": "Lampă", "Masina": "Mașină", "Fierbator": "Fierbător", "Periuta": "Periuță",
    "Camasa": "Cămașă", "Jucarie": "Jucărie", "Husa": "Husă", "Casti": "Căști",
    "Carte": "Carte", "gluga": "glugă", "detasabila": "detașabilă", "lumina": "lumină",
    "incarcare": "încărcare", "otel": "oțel", "inoxidabil": "inoxidabil", "rosu": "roșu",
    "Tigaie": "Tigaie", "Ghete": "Ghete", "Surubelnita": "Șurubelniță", "tactil": "tactil",
    "magnetica": "magnetică", "piese": "piese", "bumbac": "bumbac", "maneca": "mânecă",
    "lunga": "lungă", "naturala": "naturală", "impermeabile": "impermeabile",
    "pentru": "pentru", "inteligent": "inteligent", "Perna": "Pernă", "ortopedica": "ortopedică",
    "Cafea": "Cafea", "macinata": "măcinată", "Sistem": "Sistem", "Umidificator": "Umidificator",
    "silentios": "silențios", "ambientala": "ambientală", "electrica": "electrică",
}

CHARACTERISTIC_NAMES = (
    (6506, "Culoare"), (38, "Conectivitate"), (5401, "Material"), (7755, "Putere"),
    (8794, "Marime"), (9001, "Garantie producator"), (6861, "Dimensiuni"), (10990, "Varsta"),
)

MANUFACTURERS = (
    ("Elindor SRL", "Str. Fabricii 12, Cluj-Napoca, Romania", "contact@elindor.ro"),
    ("Philips Consumer Lifestyle B.V.", "Tussendiepen 4, Drachten, Netherlands",
     "gpsr@philips.com"),
    ("Robert Bosch GmbH", "Robert-Bosch-Platz 1, Gerlingen, Germany", "product.safety@bosch.com"),
    ("Samsung Electronics Romania SRL", "Bd. Dimitrie Pompeiu 10A, Bucuresti, Romania",
     "gpsr@samsung.ro"),
    ("Groupe SEB Romania SRL", "Str. Fabrica de Glucoza 5, Bucuresti, Romania",
     "conformitate@groupeseb.ro"),
    ("Shenzhen Hongyu Trading Co., Ltd.", "Bao'an District, Shenzhen, China",
     "service@hongyu-trade.cn"),
)

EU_REPRESENTATIVES = (
    ("EU Compliance Partner s.r.o.", "Vajnorska 100, Bratislava, Slovakia", "gpsr@eucp.sk"),
    ("Distribuitor Import SRL", "Sos. Berceni 104, Bucuresti, Romania", "office@distimport.ro"),
)

SAFETY_TEXTS = (
    "A nu se lasa la indemana copiilor.",
    "Cititi instructiunile de utilizare inainte de prima folosire.",
    "Produsul contine piese mici. Pericol de sufocare pentru copiii sub 3 ani.",
    "A se feri de umezeala si de surse de caldura.",
    "Utilizati doar cu alimentatorul original. Nu scufundati in apa.",
)

IMAGE_EXTENSIONS = ("jpg", "png", "jpg", "jpeg")

VALIDATION_DESCRIPTIONS = {
    0: "Draft",
    1: "In MKTP validation",
    2: "Awaiting Brand validation",
    3: "Waiting for EAN approval",
    4: "New Documentation validation pending",
    5: "Rejected Brand",
    6: "Invalid product (EAN rejected)",
    8: "Documentation rejected",
    9: "Approved documentation",
    10: "Blocked",
    11: "Update awaiting approval",
    12: "Update rejected",
    13: "Waiting for saleable offer",
    14: "Unsuccessful translation",
    15: "Translation in progress",
    16: "Translation pending",
    17: "Partial translation",
}

OFFER_VALIDATION_DESCRIPTIONS = {1: "Saleable", 2: "Invalid price"}

VALIDATION_ERROR_MESSAGES = (
    "Imaginea principala lipseste",
    "Descrierea este prea scurta",
    "EAN-ul nu corespunde produsului",
    "Brandul nu este aprobat pentru acest vanzator",
    "Caracteristica obligatorie lipseste: Culoare",
)

CATEGORY_TREE: dict[str, tuple[str, ...]] = {
    "Electrocasnice": (
        "Fierbatoare", "Aspiratoare", "Umidificatoare", "Espressoare", "Friteuze cu aer cald",
        "Blendere", "Roboti de bucatarie", "Prajitoare de paine", "Mixere", "Fiare de calcat",
        "Purificatoare de aer", "Cuptoare cu microunde",
    ),
    "Telefoane si accesorii": (
        "Telefoane mobile", "Huse telefoane", "Folii de protectie", "Incarcatoare",
        "Cabluri de date", "Baterii externe", "Suporturi auto telefon", "Smartwatch-uri",
    ),
    "Audio si video": (
        "Casti audio", "Boxe portabile", "Soundbar-uri", "Televizoare", "Proiectoare",
        "Microfoane", "Playere multimedia",
    ),
    "Casa si decoratiuni": (
        "Lampi de birou", "Becuri inteligente", "Lustre", "Covoare", "Perdele si draperii",
        "Rame foto", "Lumanari decorative", "Ceasuri de perete", "Saltele si perne",
        "Lenjerii de pat",
    ),
    "Bucatarie": (
        "Tigai si craticioare", "Seturi de cutite", "Recipiente depozitare", "Vesela",
        "Tacamuri", "Pahare", "Accesorii de copt",
    ),
    "Mama si copilul": (
        "Marsupii si sisteme de purtare", "Carucioare", "Scaune auto copii", "Biberoane",
        "Scutece", "Patuturi", "Monitoare bebelusi", "Premergatoare",
    ),
    "Jucarii": (
        "Jucarii de constructie", "Papusi", "Masinute", "Jocuri de societate", "Puzzle-uri",
        "Jucarii de plus", "Jucarii de exterior",
    ),
    "Fashion": (
        "Camasi barbati", "Tricouri", "Rochii", "Blugi", "Geci si jachete",
        "Ghetuta si incaltaminte copii", "Pantofi sport", "Genti", "Curele", "Sosete",
    ),
    "Carti": (
        "Carti pentru copii", "Literatura romana", "Literatura universala", "Dezvoltare personala",
        "Manuale scolare", "Carti de bucate",
    ),
    "Supermarket": (
        "Cafea", "Ceai", "Dulciuri", "Bauturi", "Suplimente alimentare", "Conserve",
        "Condimente", "Hrana animale",
    ),
    "Bricolaj": (
        "Bormasini si surubelnite", "Polizoare", "Scule de mana", "Truse de scule",
        "Feronerie", "Vopsele", "Scari",
    ),
    "Ingrijire personala": (
        "Periute de dinti electrice", "Aparate de ras", "Uscatoare de par", "Placi de par",
        "Epilatoare", "Cantare corporale", "Parfumuri",
    ),
    "Sport si outdoor": (
        "Biciclete", "Trotinete electrice", "Corturi", "Saci de dormit", "Gantere",
        "Benzi de alergat", "Echipament fitness",
    ),
    "Auto": (
        "Anvelope", "Camere video auto", "Odorizante auto", "Huse auto", "Redresoare baterii",
        "Compresoare auto",
    ),
    "Gradina": (
        "Masini de tuns iarba", "Furtunuri", "Mobilier gradina", "Gratare", "Seminte",
        "Unelte de gradina",
    ),
    "IT si birotica": (
        "Laptopuri", "Mouse-uri", "Tastaturi", "Monitoare", "Imprimante", "Hartie copiator",
        "Rucsacuri laptop", "Stick-uri USB", "Hard disk-uri externe",
    ),
}

CATEGORY_ACCESSORY_SUFFIXES = ("Accesorii", "Piese de schimb")

FAMILY_TYPE_NAMES = ("Culoare", "Marime", "Capacitate", "Putere", "Model")
