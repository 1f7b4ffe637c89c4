"""Prospecting's models, one module per capability (DESIGN.md, Layout); imported here so that
`from prospecting.models import ProviderCall` keeps working and Django finds them all."""

from prospecting.models.calls import (
    CallState,
    ProviderCall,
    RateLimitBucket,
    RateLimitHit,
    WebhookEvent,
)

__all__ = ["CallState", "ProviderCall", "RateLimitBucket", "RateLimitHit", "WebhookEvent"]
