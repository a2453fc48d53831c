"""Parsing and validating the request body the way eMAG's PHP backend answers it.

Problems are reported as :class:`ApiError`, which the server turns into HTTP 200 with
``isError: true`` and the message, because that is how eMAG reports bad input.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from emag_sandbox.products import Offer

MAX_INPUT_VARS = 4000
MAX_PER_PAGE = 100
_INT_RE = re.compile(r"^-?\d+$")
_KEY_RE = re.compile(r"\[([^\]]*)\]")


class ApiError(Exception):
    """A request eMAG would answer with ``isError: true`` and this message."""


def parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """Decode a JSON body, or a PHP-style form body (``data[currentPage]=1``)."""
    if not raw.strip():
        return {}
    is_form = "application/x-www-form-urlencoded" in content_type.lower()
    if is_form and not raw.lstrip().startswith(b"{"):  # curl -d sends JSON as "form"
        return _parse_form(raw.decode("utf-8", errors="replace"))
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(f"Invalid request body: the JSON could not be parsed ({exc})") from exc
    if not isinstance(body, dict):
        raise ApiError("Invalid request body: expected a JSON object with a 'data' key")
    return body


def _parse_form(text: str) -> dict[str, Any]:
    """Nest ``a[b][c]=v`` keys into dicts and ``a[]=v`` into lists, like PHP does."""
    out: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        head = key.split("[", 1)[0]
        path = [head, *_KEY_RE.findall(key[len(head):])]
        node: Any = out
        for i, part in enumerate(path):
            last = i == len(path) - 1
            if isinstance(node, list):
                if last:
                    node.append(value)
                    break
                node.append({})
                node = node[-1]
                continue
            if last:
                node[part] = value
            else:
                nxt_is_list = path[i + 1] == ""
                if part not in node or not isinstance(node[part], (dict, list)):
                    node[part] = [] if nxt_is_list else {}
                node = node[part]
    return out


def count_elements(value: Any) -> int:
    """Leaf values in the request: PHP's ``max_input_vars`` counts these."""
    if isinstance(value, dict):
        return sum(count_elements(v) for v in value.values()) or 1
    if isinstance(value, list):
        return sum(count_elements(v) for v in value) or 1
    return 1


def get_data(body: dict[str, Any], required: bool) -> dict[str, Any]:
    """The mandatory ``data`` object (an empty one is fine)."""
    if count_elements(body) > MAX_INPUT_VARS:
        raise ApiError(f"Maximum input vars of {MAX_INPUT_VARS} exceeded")
    if "data" not in body:
        if required:
            raise ApiError("Missing mandatory parameter 'data': send {\"data\": {...}}")
        return {}
    data = body["data"]
    if isinstance(data, list) and not data:
        return {}  # PHP cannot tell an empty array from an empty object
    if not isinstance(data, dict):
        raise ApiError("Invalid parameter 'data': it must be an object of filters")
    return data


def as_int(data: dict[str, Any], key: str) -> int | None:
    """An integer parameter; numeric strings are accepted (form bodies send strings)."""
    if key not in data:
        return None
    value = data[key]
    if isinstance(value, bool):
        raise ApiError(f"Invalid value for '{key}': must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT_RE.match(value.strip()):
        return int(value.strip())
    raise ApiError(f"Invalid value for '{key}': must be an integer, got {value!r}")


def pagination(data: dict[str, Any]) -> tuple[int, int]:
    """``(currentPage, itemsPerPage)`` with eMAG's defaults and bounds."""
    page = as_int(data, "currentPage")
    per_page = as_int(data, "itemsPerPage")
    page = 1 if page is None else page
    per_page = MAX_PER_PAGE if per_page is None else per_page
    if page < 1:
        raise ApiError(f"Invalid value for 'currentPage': must be 1 or greater, got {page}")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ApiError(
            f"Invalid value for 'itemsPerPage': must be between 1 and {MAX_PER_PAGE}, "
            f"got {per_page}")
    return page, per_page


def _as_str(data: dict[str, Any], key: str) -> str | None:
    if key not in data:
        return None
    value = data[key]
    if isinstance(value, (dict, list)):
        raise ApiError(f"Invalid value for '{key}': must be a string")
    return str(value)


def offer_predicate(data: dict[str, Any]) -> tuple[Callable[[Offer], bool] | None, int | None]:
    """Compile the product filters; returns ``(predicate or None, id filter or None)``.

    Unknown keys are ignored, as eMAG does; names are case sensitive.
    """
    checks: list[Callable[[Offer], bool]] = []
    offer_id = as_int(data, "id")
    if offer_id is not None:
        checks.append(lambda o: o.id == offer_id)
    status = as_int(data, "status")
    if status is not None:
        checks.append(lambda o: o.status == status)
    part_number = _as_str(data, "part_number")
    if part_number is not None:
        checks.append(lambda o: o.sku.part_number == part_number)
    pnk = _as_str(data, "part_number_key")
    if pnk is not None:
        checks.append(lambda o: o.sku.part_number_key == pnk)
    general = as_int(data, "general_stock")
    if general is not None:
        checks.append(lambda o: 0 <= o.stock <= general)
    estimated = as_int(data, "estimated_stock")
    if estimated is not None:
        checks.append(lambda o: 0 <= o.estimated_stock <= estimated)
    ovs = as_int(data, "offer_validation_status")
    if ovs is not None:
        checks.append(lambda o: o.offer_validation == ovs)
    vs = as_int(data, "validation_status")
    if vs is not None:
        checks.append(lambda o: o.sku.validation == vs)
    tvs = as_int(data, "translation_validation_status")
    if tvs is not None:
        checks.append(lambda o: o.sku.translation_validation == tvs)
    if not checks:
        return None, None
    return (lambda o: all(check(o) for check in checks)), offer_id
