"""The Celery app the throughput benchmark's workers run: Quarry's app plus one benchmark task."""

from prospecting.celery import app
from prospecting.providers.lookc import LookcClient

__all__ = ["app", "lookup"]


@app.task(name="benchmark.lookup")
def lookup(team_id, user_id, email):
    # Thin, like Quarry's tasks: ids in, one service call; waits for the shared limiter as long as needed.
    # Imported here: the worker sets Django up only after loading this module.
    from accounts.models import Team, User
    from prospecting.services.provider_calls import call_provider

    call_provider(
        team=Team.objects.get(pk=team_id),
        user=User.objects.get(pk=user_id),
        provider="lookc",
        endpoint=LookcClient.person_by_email,
        email=email,
        max_wait=300,
    )
