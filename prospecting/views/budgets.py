"""The Budgets page: this month's spend, holds and budgets per member and credit type, and the team's cap.
Admins set, change or remove budgets in place (htmx) or with a plain POST (a redirect with a message);
members see their own budgets and what is left, read-only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.audit import client_ip
from accounts.decorators import post_to_object, team_admin_required, team_required
from accounts.models import Membership, ProviderKey
from prospecting.forms import BudgetForm
from prospecting.models import CreditType
from prospecting.services.budgets import TEAM, budget_sections, set_budget
from prospecting.services.ledger import number_text, resets_text


@team_required
def budgets(request):
    return render(request, "prospecting/budgets.html", _context(request))


@team_admin_required
@post_to_object(lambda request: Membership.objects.for_team(request.team).select_related("user"))
def budget_member(request, membership):
    return _set(request, membership)


@team_admin_required
@require_POST
def budget_team(request):
    return _set(request, None)


def _set(request, membership):
    form = BudgetForm(request.POST)
    member = membership.user if membership else None
    if form.is_valid():
        kind, limit = form.cleaned_data["credit_type"], form.limit()
        try:
            before = set_budget(
                team=request.team,
                member=member,
                credit_type=kind,
                monthly_limit=limit,
                actor=request.user,
                ip=client_ip(request),
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            level = messages.INFO if before == limit else messages.SUCCESS
            messages.add_message(request, level, _change_text(member, kind, before, limit))
        if not request.htmx:
            return redirect("budgets")
        return render(request, "prospecting/budgets.html#budget-tables", _context(request))
    # The error is shown at the row it belongs to; htmx swaps only 2xx answers, so in place it is a 200.
    if "credit_type" in form.errors:
        messages.error(request, f"Nothing was changed: {form.errors['credit_type'][0]}")
    whose = str(membership.pk) if membership else TEAM
    failed = {"key": (request.POST.get("credit_type"), whose), "form": form}
    if request.htmx:
        return render(request, "prospecting/budgets.html#budget-tables", _context(request, failed))
    return render(request, "prospecting/budgets.html", _context(request, failed), status=400)


def _change_text(member, kind, before, after):
    label = CreditType(kind).label
    whose = f"{member.display_name}'s monthly budget" if member else "The team's monthly cap"
    if before == after:
        return f"Nothing changed: {whose[0].lower() + whose[1:]} of {label} was already {_limit(after)}."
    was = f" (it was {_limit(before)})"
    if after is None:
        return f"{whose} of {label} is removed: no limit{was}."
    return f"{whose} of {label} is now {number_text(after)}{was}. It counts this month's spend so far."


def _limit(limit):
    return "no limit" if limit is None else number_text(limit)


def _context(request, failed=None):
    is_admin = request.membership.is_admin
    providers = ProviderKey.objects.for_team(request.team).active().values_list("provider", flat=True)
    sections = budget_sections(team=request.team, providers=set(providers))
    memberships = Membership.objects.for_team(request.team).select_related("user")
    if not is_admin:
        memberships = memberships.filter(user=request.user)  # a member sees only their own budgets
    failed = failed or {}
    tables = [
        {
            "section": section,
            "rows": [_row(section, str(m.pk), m.user_id, failed, member=m) for m in memberships],
            "team": _row(section, TEAM, TEAM, failed),
        }
        for section in sections
    ]
    return {"tables": tables, "is_admin": is_admin, "resets": resets_text()}


def _row(section, key, whose, failed, member=None):
    figures = section.team if whose == TEAM else section.of(whose)
    row = {"member": member, "figures": figures, "key": key, "value": _plain(figures.limit), "errors": []}
    if failed.get("key") == (section.credit_type, key):
        row["value"] = failed["form"].data.get("monthly_limit", "")
        row["errors"] = [error for errors in failed["form"].errors.values() for error in errors]
    return row


def _plain(limit):
    return "" if limit is None else number_text(limit).replace(",", "")
