"""eMAG's status codes as the pages name them.

The codes' one home is the dbt macro `transform/macros/emag_codes.sql`; this is the same list
restated for the dashboard's SQL (the dashboard cannot call dbt macros).
tests/dashboard checks it: the page's counts of invalid prices and rejected documentation
must equal the counts dbt computes with the macro (emag_sync_statistics).
"""

from __future__ import annotations

OFFER_STATUS = {0: "inactive", 1: "active", 2: "end of life"}
OFFER_ACTIVE = 1
VALIDATION_REJECTED = (5, 6, 8, 10)
OFFER_VALIDATION_INVALID_PRICE = 2
