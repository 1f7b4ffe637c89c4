from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Invitation


def send_invitation(*, invitation, base_url):
    link = base_url.rstrip("/") + invitation.path()
    context = {"invitation": invitation, "link": link}
    send_mail(
        subject=f"You're invited to join {invitation.team} on Quarry",
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    Invitation.objects.filter(pk=invitation.pk).update(emailed_at=timezone.now())
