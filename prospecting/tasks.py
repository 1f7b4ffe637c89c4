from celery import shared_task

from accounts.models import ProviderKey, User
from prospecting import demo
from prospecting.models import CallState, ProviderCall
from prospecting.services.ledger import expire_holds
from prospecting.services.provider_calls import refresh_key_balances


@shared_task
def refresh_balances_of_key(key_id, user_id=None):
    """Fetch one key's balances, started by refresh_balances. A key no longer marked as refreshing was
    done already (a message delivered twice) or revoked: nothing to do. Balance calls are free."""
    key = ProviderKey.objects.active().filter(pk=key_id, balances_refreshing_since__isnull=False).first()
    if key is None:
        return
    refresh_key_balances(key=key, user=User.objects.filter(pk=user_id).first())


@shared_task(bind=True, max_retries=60)
def set_up_demo_key(self, key_id):
    """Ready one of the demo team's sandbox keys once the sandbox answers (it starts after the demo)."""
    key = ProviderKey.objects.active().filter(pk=key_id, is_sandbox=True).first()
    if key is None:
        return
    if not demo.sandbox_is_up():
        raise self.retry(countdown=2)
    if _check_was_cut_off(key):
        return
    demo.set_up_sandbox_key(key=key)


@shared_task(bind=True, max_retries=60)
def register_demo_webhook(self, key_id):
    """Tell a freshly started sandbox where the demo team's LookC webhook is."""
    key = ProviderKey.objects.active().filter(pk=key_id, is_sandbox=True).first()
    if key is None:
        return
    if not demo.sandbox_is_up():
        raise self.retry(countdown=2)
    demo.register_sandbox_webhook(key)


def _check_was_cut_off(key):
    """A worker killed mid-check hands its task back to the broker: the first check's row is still `sent`,
    its outcome unknown (LinkUp bills a check). Never repeat it blindly; an admin can press Test."""
    return ProviderCall.objects.filter(key=key, endpoint="check", state=CallState.SENT).exists()


@shared_task
def push_list_to_leadiq_task(push_id):
    """Run a queued push of a list to LeadIQ Prospector. A push already finished (a message delivered
    twice) is left alone; one still `running` was cut off and runs again: it reads the LeadIQ list
    first and sends only who is not there yet, so no batch goes twice."""
    from prospecting.models import LeadiqPush, PushState
    from prospecting.services.push import push_list_to_leadiq

    push = (
        LeadiqPush.objects.filter(pk=push_id, state__in=[PushState.QUEUED, PushState.RUNNING])
        .select_related("prospect_list", "started_by")
        .first()
    )
    if push is None:
        return
    push_list_to_leadiq(prospect_list=push.prospect_list, user=push.started_by, push=push)


@shared_task
def import_csv_task(job_id):
    """Run a queued CSV import. A job already finished (a message delivered twice) does nothing; one
    still `running` was cut off, its transaction rolled back, and runs again from the start."""
    from prospecting.services.import_jobs import run_import

    run_import(job_id)


@shared_task
def settle_expired_holds():
    """Beat, every few minutes: settle the credit holds whose call never did (a worker killed mid-call).
    Safe to run twice or beside a late answer: each hold is settled once, under its lock."""
    expire_holds()


@shared_task
def reconcile_team_task(run_id):
    """Read a team's provider figures and compare them with the ledger (started by an admin or by beat).
    A run already finished (a message delivered twice) does nothing; the readings are free calls."""
    from prospecting.services.reconciliation import run_reconciliation

    run_reconciliation(run_id)


@shared_task
def reconcile_all_teams():
    """Beat, hourly: a reconciliation run for every team with a key whose provider gives figures."""
    from prospecting.services.reconciliation import start_reconciliations

    start_reconciliations()
