"""Do-not-contact: the team's suppression list (admins only).

Members do not see the list at all. They see the "Suppressed" mark wherever a person appears, which is
all they need to act on; the list itself holds the addresses of people who asked to be left alone or
to be forgotten, so it is shown only to those who keep it (data minimisation).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode

from accounts.audit import client_ip
from accounts.decorators import team_admin_required
from accounts.validators import reject_control_characters
from prospecting.models import Suppression, SuppressionKind
from prospecting.services import suppression as services

KIND_CHOICES = [(services.DETECT, "Detect from the value"), *SuppressionKind.choices]


class SuppressionForm(forms.Form):
    kind = forms.ChoiceField(choices=KIND_CHOICES, initial=services.DETECT, label="Kind")
    value = forms.CharField(
        max_length=500,
        label="Value",
        validators=[reject_control_characters],
        help_text="An email, an email domain, a LinkedIn profile URL, or a company domain or LinkedIn URL.",
    )
    reason = forms.CharField(max_length=300, required=False, validators=[reject_control_characters])


class SuppressionImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="One value per line, or a table with a header row.")
    kind = forms.ChoiceField(choices=KIND_CHOICES, initial=services.DETECT, label="The file lists")
    column = forms.CharField(
        max_length=100,
        required=False,
        validators=[reject_control_characters],
        help_text="The column's header or number (1 is the first). Blank: the column headed email, "
        "domain, linkedin, company or value, else the first.",
    )
    reason = forms.CharField(max_length=300, required=False, validators=[reject_control_characters])


@team_admin_required
def suppression_list(request):
    form = SuppressionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.add_suppression(
                team=request.team,
                actor=request.user,
                kind=data["kind"],
                text=data["value"],
                reason=data["reason"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            form.add_error("value", error)
        else:
            messages.success(request, f"{entry.get_kind_display()} {entry.value} is now suppressed.")
            return redirect("suppression")
    entries = Suppression.objects.for_team(request.team).select_related("created_by")
    search = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "")
    if search:
        entries = entries.filter(value__icontains=search.lower())
    if kind in SuppressionKind.values:
        entries = entries.filter(kind=kind)
    page = Paginator(entries.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "search": search,
        "kind": kind,
        "kinds": SuppressionKind.choices,
        "query": urlencode({"q": search, "kind": kind}) + "&",
    }
    return render(request, "prospecting/suppression.html", context, status=400 if form.errors else 200)


@team_admin_required
def suppression_import(request):
    form = SuppressionImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.import_suppressions(
                team=request.team,
                actor=request.user,
                upload=data["file"],
                kind=data["kind"],
                column=data["column"],
                reason=data["reason"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            if not report.errors:
                messages.success(
                    request,
                    f"Added {report.added} to the do-not-contact list"
                    + (f"; {report.already} already suppressed." if report.already else "."),
                )
                return redirect("suppression")
    failed = bool(form.errors or (report and report.errors))
    context = {"form": form, "report": report}
    return render(request, "prospecting/suppression_import.html", context, status=400 if failed else 200)


@team_admin_required
def suppression_remove(request, pk):
    entry = get_object_or_404(Suppression.objects.for_team(request.team), pk=pk)
    if request.method != "POST":
        return render(request, "prospecting/suppression_remove.html", {"entry": entry})
    services.remove_suppression(suppression=entry, actor=request.user, ip=client_ip(request))
    messages.success(request, f"{entry.get_kind_display()} {entry.value} was removed from the list.")
    return redirect("suppression")
