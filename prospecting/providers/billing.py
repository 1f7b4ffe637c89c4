"""What a provider call cost, from the provider's own words or its documented rule (DESIGN.md, "Credits
are recorded as the provider made them"). The common machinery; each provider's prices and rule live
beside its client (`DEFAULT_PRICES`, `max_credits`, `credits_charged`, `credits_for_error` in
providers/<slug>.py, or in providers/<slug>_billing.py where the client module grew too long).

- `max_credits(provider, endpoint, params, prices)`: the most a call can cost, known before it is sent.
- `charges_for(call, data, error=, params=, prices=)`: (confirmed, unconfirmed) credits by type once the
  call ended. Confirmed: the provider said so, or its rule gives the amount. Unconfirmed: the call may
  have been billed but its answer could not be read (a timeout after sending, a dropped connection, a
  malformed or truncated body, a partial GraphQL answer): the most it could have cost, for
  reconciliation to settle. A call never sent costs nothing.
- Price tables: the documented defaults of the providers whose prices depend on the plan (Lusha and
  LeadIQ, per data point), overridden per key in `ProviderKey.options["prices"]`; `prices_for(key)`,
  and `parse_price_table` / `format_price_table` for the key form.
"""

import math
import re

from django.core.exceptions import ValidationError

from prospecting.providers import leadiq, linkup, lix_billing, lookc, lusha_billing
from prospecting.providers.base import MalformedResponse

RULES = {"lix": lix_billing, "lookc": lookc, "linkup": linkup, "lusha": lusha_billing, "leadiq": leadiq}
# provider -> {its billing kind -> the credit account it draws on}: the ledger's credit types (CreditType).
# LookC bills the organisation credits of the Lix account [providers.md, LookC].
CREDIT_ACCOUNTS = {
    "lix": {"standard": "lix_standard", "organisation": "lix_organisation", "email": "lix_email"},
    "lookc": {"organisation": "lix_organisation"},
    "linkup": {"credits": "linkup"},
    "lusha": {"credits": "lusha"},
    "leadiq": {"uc": "leadiq_uc"},
}
# The highest price Quarry accepts for one data point: a typo (1000 for 10) should be refused.
MAX_PRICE = 1000


def credit_type(provider, kind):
    """The credit account (a ledger credit type) a provider's billing kind draws on."""
    try:
        return CREDIT_ACCOUNTS[provider][kind]
    except KeyError:
        raise ValueError(f"{provider} has no credit type {kind!r}") from None


def default_prices(provider):
    """The documented price table of a provider whose prices depend on the plan; {} for the others."""
    return dict(getattr(RULES.get(provider), "DEFAULT_PRICES", {}))


def prices_for(key):
    """A key's price table: its own prices (options["prices"]) over the documented defaults."""
    prices = default_prices(key.provider)
    own = (key.options or {}).get("prices") or {}
    prices.update({name: value for name, value in own.items() if name in prices})
    return prices


def max_credits(provider, endpoint, params=None, prices=None):
    rule = RULES.get(provider)
    if rule is None:
        return {}
    prices = prices or default_prices(provider)
    try:
        return _clean(rule.max_credits(endpoint, params or {}, prices))
    except (TypeError, ValueError, KeyError, AttributeError):
        return {}  # parameters the client will refuse before sending anything


def charges_for(call, data=None, error=None, *, params=None, prices=None):
    """(confirmed, unconfirmed) credits of a call that was made, by credit type."""
    rule = RULES.get(call.provider)
    if rule is None:
        return {}, {}
    params, prices = params or {}, prices or default_prices(call.provider)
    if error is None:
        return _clean(rule.credits_charged(call, params, data, prices)), {}
    if error.maybe_billed or (isinstance(error, MalformedResponse) and _answered(call)):
        # Sent and maybe billed, answer unknown: the most it could cost, unconfirmed; never repeated blindly.
        return {}, max_credits(call.provider, call.endpoint, params, prices)
    if call.status is None:
        return {}, {}  # never reached the provider
    confirmed, unconfirmed = rule.credits_for_error(call, params, error, prices)
    return _clean(confirmed), _clean(unconfirmed)


def credits_for(call, data=None, error=None, *, params=None, prices=None):
    """The confirmed credits of a call (what the sandbox's own bill is compared with)."""
    return charges_for(call, data, error, params=params, prices=prices)[0]


def _answered(call):
    return call.status is not None and 200 <= call.status < 300


def _clean(amounts):
    return {kind: round(amount, 4) for kind, amount in (amounts or {}).items() if amount}


# --- Price tables (the key form's field) ---------------------------------------------------------------

_ENTRY = re.compile(r"^\s*([A-Za-z_]+)\s*[:=]?\s*([0-9]+(?:\.[0-9]+)?)\s*$")


def parse_price_table(provider, text):
    """A key's own prices from text such as "email 1, phone 5" or "email: 1" per line; blank means the
    documented defaults. Returns {data point: price} holding only what differs from the defaults.
    Raises ValidationError with a message a form can show."""
    defaults = default_prices(provider)
    if not defaults:
        if text and text.strip():
            raise ValidationError(f"{provider.title()} has no per-data-point prices to set.")
        return {}
    prices = {}
    for entry in filter(None, (part.strip() for part in re.split(r"[,;\n]", text or ""))):
        found = _ENTRY.match(entry)
        if not found:
            raise ValidationError(
                f"“{entry[:40]}” is not a price: write a data point and a number, e.g. “phone 5”."
            )
        name, value = found.group(1).lower(), float(found.group(2))
        if name not in defaults:
            raise ValidationError(
                f"{provider.title()} has no data point “{name}”: use {', '.join(defaults)}."
            )
        if name in prices:
            raise ValidationError(f"“{name}” is given twice.")
        if not math.isfinite(value) or value > MAX_PRICE:
            raise ValidationError(f"The price of {name} must be between 0 and {MAX_PRICE} credits.")
        prices[name] = int(value) if value.is_integer() else value
    return {name: value for name, value in prices.items() if value != defaults[name]}


def format_price_table(provider, prices=None):
    """The full table, defaults filled in, as text the form shows: "email 1, phone 5, ..."."""
    table = default_prices(provider) | {
        name: value for name, value in (prices or {}).items() if name in default_prices(provider)
    }
    return ", ".join(f"{name} {_number(value)}" for name, value in table.items())


def _number(value):
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
