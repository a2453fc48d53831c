"""Local emulation of the eMAG Marketplace API (``/api-3``) for testing clients offline.

Shares no code with the tap on purpose: an emulator built on the client's reading of the API
would only confirm the client's mistakes.
"""

from emag_sandbox.accounts import DEFAULT_ACCOUNTS, AccountSpec, seller_accounts
from emag_sandbox.app import Sandbox
from emag_sandbox.faults import FAULT_KINDS

__all__ = ["DEFAULT_ACCOUNTS", "FAULT_KINDS", "AccountSpec", "Sandbox", "seller_accounts"]
