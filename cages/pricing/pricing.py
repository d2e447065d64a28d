"""pricing: quotes a price for a sku and quantity, with volume and customer discounts.

A process cage in pool mode: warm Python workers answer over the framed protocol through cages_worker (the host
puts it on PYTHONPATH). The gateway calls it by name: GET /gateway/quote?sku=bolt&quantity=120&customer=c-17.
"""
import os
import sys

import cages_worker
from cages_worker import CageError

# Unit prices in cents; in real life a table the workers load once at start (which is what warm workers are for).
CATALOGUE = {"bolt": 25, "nut": 10, "gear": 1250, "spring": 40, "washer": 5}
# (minimum quantity, percent off), best first.
VOLUME_DISCOUNTS = [(1000, 15), (100, 10), (10, 5)]
LOYAL_CUSTOMERS = {"c-17": 3, "c-42": 5}


def quote(params, request):
    sku = params.get("sku")
    if sku not in CATALOGUE:
        raise CageError("not_found", "no sku '%s' in the catalogue (known: %s)" % (sku, ", ".join(sorted(CATALOGUE))))
    try:
        quantity = int(params.get("quantity", 1))
    except (TypeError, ValueError):
        raise CageError("bad_request", "quantity must be a whole number, not '%s'" % params.get("quantity"))
    if quantity <= 0:
        raise CageError("bad_request", "quantity must be positive, not %d" % quantity)
    unit = CATALOGUE[sku]
    volume = next((percent for minimum, percent in VOLUME_DISCOUNTS if quantity >= minimum), 0)
    loyalty = LOYAL_CUSTOMERS.get(params.get("customer"), 0)
    gross = unit * quantity
    total = gross * (100 - volume) * (100 - loyalty) // 10000
    print("quote %s x%d for %s: %d cents" % (sku, quantity, params.get("customer"), total), file=sys.stderr)
    return {"sku": sku, "quantity": quantity, "unitPriceCents": unit, "volumeDiscountPercent": volume,
            "customerDiscountPercent": loyalty, "totalCents": total, "worker": os.getpid()}


def catalogue(params, request):
    return {"unitPriceCents": CATALOGUE}


cages_worker.serve({"quote": quote, "catalogue": catalogue})
