import smtplib

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.emails import send_invitation
from accounts.models import Invitation


# With late acknowledgement a failed task is still acknowledged: retry a mail server hiccup ourselves.
@shared_task(autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=True, max_retries=5)
def send_invitation_email(invitation_id, base_url):
    invitation = Invitation.objects.filter(pk=invitation_id).select_related("team", "invited_by").first()
    # Redelivery after a crash, a revoked or renewed invitation: nothing to send.
    if invitation is None or invitation.emailed_at or not invitation.is_pending:
        return
    send_invitation(invitation=invitation, base_url=base_url)


@shared_task
def clear_expired_sessions():
    Session.objects.filter(expire_date__lt=timezone.now()).delete()
