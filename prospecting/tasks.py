from celery import shared_task

from accounts.models import ProviderKey, User
from prospecting.models import CallState, ProviderCall
from prospecting.sandbox.connect import sandbox_is_up
from prospecting.services.provider_calls import check_provider_key, refresh_key_balances


@shared_task(bind=True, max_retries=60)
def check_key(self, key_id, user_id=None):
    """Test a key in the background (the demo team's sandbox keys when Quarry starts)."""
    key = ProviderKey.objects.active().filter(pk=key_id).first()
    if key is None:
        return
    # At start-up the sandbox process may still be booting: wait for it rather than mark the key.
    if key.is_sandbox and not sandbox_is_up():
        raise self.retry(countdown=2)
    # A worker killed mid-check hands this task back to the broker: the first check's row is still `sent`,
    # its outcome unknown (LinkUp bills a check). Never repeat it blindly; an admin can press Test.
    if ProviderCall.objects.filter(key=key, endpoint="check", state=CallState.SENT).exists():
        return
    user = User.objects.filter(pk=user_id).first()
    key = check_provider_key(key=key, user=user)
    if key.status == "valid":
        refresh_key_balances(key=key, user=user)
