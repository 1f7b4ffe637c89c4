"""Prospecting's models, one module per capability (DESIGN.md, Layout); imported here so that
`from prospecting.models import ProviderCall` keeps working and Django finds them all."""

from prospecting.models.calls import (
    CallState,
    ProviderCall,
    RateLimitBucket,
    RateLimitHit,
    WebhookEvent,
)
from prospecting.models.imports import ImportJob, ImportState
from prospecting.models.ledger import Budget, CreditType, CreditUsage, EntryKind, LedgerEntry
from prospecting.models.lists import ListEntry, ProspectList
from prospecting.models.push import LeadiqPush, PushOutcome, PushState
from prospecting.models.reconciliation import (
    BalanceReading,
    CreditComparison,
    Measure,
    ReconciliationRun,
    RunState,
    Verdict,
)
from prospecting.models.records import (
    STATUS_RANK,
    Company,
    ContactKind,
    ContactPoint,
    ContactStatus,
    FactValue,
    Identifier,
    IdentifierKind,
    Merge,
    Person,
)
from prospecting.models.searches import SavedSearch
from prospecting.models.suppression import Suppression, SuppressionKind

__all__ = [
    "STATUS_RANK",
    "BalanceReading",
    "Budget",
    "CallState",
    "Company",
    "ContactKind",
    "ContactPoint",
    "ContactStatus",
    "CreditComparison",
    "CreditType",
    "CreditUsage",
    "EntryKind",
    "FactValue",
    "Identifier",
    "ImportJob",
    "ImportState",
    "IdentifierKind",
    "LeadiqPush",
    "LedgerEntry",
    "ListEntry",
    "Measure",
    "Merge",
    "Person",
    "ProspectList",
    "ProviderCall",
    "PushOutcome",
    "PushState",
    "RateLimitBucket",
    "RateLimitHit",
    "ReconciliationRun",
    "RunState",
    "SavedSearch",
    "Suppression",
    "SuppressionKind",
    "Verdict",
    "WebhookEvent",
]
