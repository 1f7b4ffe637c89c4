"""A built-in sandbox of Lix, LookC, LinkUp, Lusha and LeadIQ, served over real HTTP.

It lets a new user try every Quarry feature without a real key, and gives our end-to-end tests and
benchmarks providers that behave like the real ones: documented paths and authentication, data derived
from the input, each provider's billing rule and rate limits, LookC's asynchronous answers and webhook,
and injectable faults. Run it with `python -m prospecting.sandbox`; it holds its state in memory.
"""
