"""Function-based views by capability: home.py, keys.py (provider keys), calls.py (balances, call log).

Views that take an object id look it up in the current team before checking the method, so an id
from another team answers 404 to every method and never reveals that the object exists.
"""
