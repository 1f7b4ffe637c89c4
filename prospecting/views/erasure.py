"""Erasing a person (an erasure request): a confirmation page, then the erasure. Admins only."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.audit import client_ip
from accounts.decorators import team_admin_required
from prospecting.models import Person
from prospecting.services.erasure import erase_person, erasure_summary


@team_admin_required
def person_erase(request, pk):
    person = get_object_or_404(Person.objects.for_team(request.team), pk=pk)
    if request.method != "POST":
        context = {"person": person, "summary": erasure_summary(person=person)}
        return render(request, "prospecting/person_erase.html", context)
    if request.POST.get("confirm") != "erase":
        messages.error(request, "Tick the box to confirm the erasure: nothing was erased.")
        return redirect(reverse("person_erase", args=[person.pk]))
    erase_person(person=person, actor=request.user, ip=client_ip(request))
    messages.success(
        request, "The person was erased. Their emails and LinkedIn profile are on the do-not-contact list."
    )
    return redirect("people")
