"""The Spend pages: what the team's keys spent, by whom (issue 9, "Dashboard").

Members see their own spend; team admins see everyone's, and can filter by member. Who sees what is
decided by `spend.visible_entries(membership=...)` from the session, so a member's `member=` parameter
changes nothing. From a row, the entries behind it; from an entry, its call and what that call bought.
"""

import calendar
import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from accounts.decorators import team_required
from accounts.models import Membership, Provider
from prospecting.models import CreditType
from prospecting.services import spend
from prospecting.views.spend_chart import build_chart

PAGE_SIZE = 50
POINTS_SHOWN = 500  # the emails and phones a call bought, listed on its page (an enrichment buys a few)
LAST_12 = "12m"
TEAM = "team"  # the member filter's value for the team's own entries (no member: an admin's adjustment)


def _previous_month(day):
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)


def _month_value(day):
    return f"{day:%Y-%m}"


class SpendFilterForm(forms.Form):
    """The filters of the Spend pages, read from the query string; every field optional."""

    month = forms.CharField(required=False, label="Period", widget=forms.Select)
    member = forms.ChoiceField(required=False)
    provider = forms.ChoiceField(required=False, choices=[("", "All providers"), *Provider.choices])
    credit_type = forms.ChoiceField(
        required=False, label="Credit type", choices=[("", "All credit types"), *CreditType.choices]
    )
    sandbox = forms.ChoiceField(
        required=False,
        label="Keys",
        choices=[("", "Real and sandbox"), ("no", "Real keys only"), ("yes", "Sandbox keys only")],
    )

    def __init__(self, data, *, membership, members, today, former=None):
        super().__init__(data)
        self.today = today
        months, day = [], date(today.year, today.month, 1)
        for _ in range(12):
            months.append((_month_value(day), f"{calendar.month_name[day.month]} {day.year}"))
            day = _previous_month(day)
        chosen = (data or {}).get("month", "")
        if chosen not in {value for value, _ in months} | {"", LAST_12} and self._month(chosen):
            months.append((chosen, self._month(chosen).strftime("%B %Y")))
        self.fields["month"].widget.choices = [*months, (LAST_12, "Last 12 months")]
        if membership.is_admin:
            people = [(str(m.user_id), m.user.display_name) for m in members]
            if former:  # their spend stays in the ledger, and their rows link here
                people.append((str(former.pk), f"{former.display_name} (no longer a member)"))
            self.fields["member"].choices = [("", "Everyone"), *people, (TEAM, "The team (no member)")]
        else:
            del self.fields["member"]  # a member's figures are their own: no other member to choose

    @staticmethod
    def _month(value):
        try:
            year, month = (int(part) for part in value.split("-"))
            return date(year, month, 1) if 2000 <= year <= 2099 else None
        except ValueError:
            return None

    def clean_month(self):
        value = self.cleaned_data["month"]
        if value not in ("", LAST_12) and not self._month(value):
            raise ValidationError("Choose a period from the list (a month is written 2026-11).")
        return value

    def selection(self):
        """What to show: the valid filters, the defaults (this month, everything) for the others."""
        valid = self.cleaned_data if self.is_bound and self.is_valid() else getattr(self, "cleaned_data", {})
        month = valid.get("month", "")
        if month == LAST_12:
            period = spend.twelve_months_period(ending=self.today)
        else:
            first = self._month(month) or date(self.today.year, self.today.month, 1)
            month = _month_value(first)
            period = spend.month_period(first.year, first.month)
        member = valid.get("member") or None
        return Selection(
            month=month,
            period=period,
            member=member if member in (None, TEAM) else int(member),
            provider=valid.get("provider", ""),
            credit_type=valid.get("credit_type", ""),
            sandbox={"yes": True, "no": False}.get(valid.get("sandbox", "")),
        )


@dataclass
class Selection:
    month: str
    period: spend.Period
    member: int | str | None
    provider: str
    credit_type: str
    sandbox: bool | None

    def narrow(self, entries, *, period=True):
        entries = spend.filtered(
            entries,
            period=self.period if period else None,
            provider=self.provider,
            credit_type=self.credit_type,
        )
        if self.member == TEAM:
            entries = entries.filter(user__isnull=True)
        elif self.member is not None:
            entries = entries.filter(user_id=self.member)
        return entries if self.sandbox is None else entries.filter(sandbox=self.sandbox)

    def params(self, **changes):
        values = {
            "month": self.month,
            "member": "" if self.member is None else self.member,
            "provider": self.provider,
            "credit_type": self.credit_type,
            "sandbox": {True: "yes", False: "no"}.get(self.sandbox, ""),
            **changes,
        }
        return {name: value for name, value in values.items() if value not in ("", None)}

    def query(self, **changes):
        return urlencode(self.params(**changes))

    @property
    def filtering(self):
        return bool(self.member or self.provider or self.credit_type or self.sandbox is not None)


class ExportForm(forms.Form):
    date_from = forms.DateField(
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the first day to export.",
            "invalid": "Enter a date like 2026-11-01.",
        },
    )
    date_to = forms.DateField(
        label="To (included)",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the last day to export.",
            "invalid": "Enter a date like 2026-11-30.",
        },
    )

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        for day in (first, last):
            if day and not 2000 <= day.year <= 2099:
                raise ValidationError("Choose dates between the years 2000 and 2099.")
        if first and last and first > last:
            raise ValidationError(f"The period ends ({last}) before it starts ({first}): swap the two dates.")
        return cleaned


def _filters(request):
    members, former = [], None
    if request.membership.is_admin:
        members = Membership.objects.for_team(request.team).select_related("user").order_by("user__name")
        wanted = request.GET.get("member", "")
        if wanted.isdigit() and int(wanted) not in {m.user_id for m in members}:
            former = spend.former_member(team=request.team, user_id=int(wanted))
    today = timezone.localdate()
    form = SpendFilterForm(
        request.GET, membership=request.membership, members=members, today=today, former=former
    )
    return form, form.selection()


def _dashboard(request, *, export_form=None, status=200):
    form, chosen = _filters(request)
    entries = spend.visible_entries(membership=request.membership)
    period = chosen.period
    figures = spend.spend_figures(chosen.narrow(entries, period=False), period=period)
    page = Paginator(figures.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    _link_rows(page.object_list, chosen, admin=request.membership.is_admin)
    context = {
        "form": form,
        "chosen": chosen,
        "admin": request.membership.is_admin,
        "totals": figures.totals,
        "page": page,
        "charts": [
            build_chart(key, points, period=period, number=n)
            for n, (key, points) in enumerate(figures.series.items(), 1)
        ],
        # Only asked when the period is empty: has this member (or team) ever spent anything?
        "spent_ever": bool(figures.rows) or entries.exists(),
        "export_form": export_form
        or ExportForm(initial={"date_from": period.first_day, "date_to": period.last_day}),
        "paging_query": chosen.query() + "&",
        "previous_month": chosen.query(month=_month_value(_previous_month(period.first_day))),
        "next_month": chosen.query(month=_month_value(period.last_day + timedelta(days=1)))
        if period.unit == "day" and period.last_day < timezone.localdate()
        else "",
        "entries_query": chosen.query(),
    }
    # The filters' htmx request gets the figures alone; a history restore (back to a pushed URL whose
    # page htmx no longer has) gets the whole page. The same URL answers both: say so to caches.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "prospecting/spend.html#spend-results" if partial else "prospecting/spend.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _link_rows(rows, chosen, *, admin):
    """Each row's entries: its member (the team's own when it has none), provider, credit type, keys."""
    for row in rows:
        member = {"member": row.user_id or TEAM} if admin else {}
        keys = "yes" if row.sandbox else "no"
        row.entries_query = chosen.query(
            **member, provider=row.provider, credit_type=row.credit_type, sandbox=keys
        )


@team_required
def spend_dashboard(request):
    return _dashboard(request)


@team_required
def spend_export(request):
    """The ledger for any period as CSV, streamed: an admin's of every member, a member's of their own
    (with the page's other filters). An invalid period shows the Spend page with the error."""
    export_form = ExportForm(request.GET)
    if not export_form.is_valid():
        return _dashboard(request, export_form=export_form, status=400)
    _, chosen = _filters(request)
    first, last = export_form.cleaned_data["date_from"], export_form.cleaned_data["date_to"]
    entries = chosen.narrow(spend.visible_entries(membership=request.membership), period=False)
    entries = spend.filtered(entries, period=spend.date_range_period(first, last))

    def lines():
        # A chunk of rows at a time: a response of one short string per row spends more time passing
        # strings along than writing them.
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")  # a byte-order mark, so that Excel reads the file as UTF-8
        writer.writerow(spend.EXPORT_HEADERS)
        for chunk in spend.export_chunks(entries):
            writer.writerows(chunk)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="quarry-spend-{first}-to-{last}.csv"'
    return response


@team_required
def spend_entries(request):
    """The entries behind a row of the dashboard (or any filters), newest first, a page at a time."""
    form, chosen = _filters(request)
    entries = chosen.narrow(spend.visible_entries(membership=request.membership))
    page = Paginator(spend.entry_rows(entries), PAGE_SIZE).get_page(request.GET.get("page"))
    names = dict(form.fields["member"].choices) if "member" in form.fields else {}
    context = {
        "form": form,
        "chosen": chosen,
        "admin": request.membership.is_admin,
        "page": page,
        "paging_query": chosen.query() + "&",
        "member_name": names.get(str(chosen.member), "") if chosen.member is not None else "",
        "provider_name": spend.PROVIDER_LABELS.get(chosen.provider, ""),
        "credit_name": spend.CREDIT_LABELS.get(chosen.credit_type, ""),
    }
    return render(request, "prospecting/spend_entries.html", context)


@team_required
def spend_entry(request, pk):
    """One entry: its call's page when it has one, else the entry itself (an adjustment, a hold)."""
    entries = spend.visible_entries(membership=request.membership)
    entry = get_object_or_404(spend.entry_rows(entries), pk=pk)
    call_id = entry.call_id or entry.hold_call_id
    if call_id and spend.visible_calls(membership=request.membership).filter(pk=call_id).exists():
        return redirect("spend_call", pk=call_id)
    siblings = spend.entry_rows(entries.filter(hold=entry.hold)) if entry.hold else entries.none()
    context = {
        "entry": entry,
        "part_of": spend.belonging(team=request.team, belongs_to=entry.belongs_to),
        "siblings": siblings.order_by("created_at", "id"),
        "admin": request.membership.is_admin,
    }
    return render(request, "prospecting/spend_entry.html", context)


@team_required
def spend_call(request, pk):
    """A call: what it cost (its ledger entries) and what it bought (values and contact points still
    kept, with the person or company they belong to)."""
    call = get_object_or_404(spend.visible_calls(membership=request.membership).select_related("user"), pk=pk)
    entries = list(
        spend.call_entries(call=call, entries=spend.visible_entries(membership=request.membership))
    )
    facts, points = spend.call_purchases(call=call)
    first = entries[0] if entries else None  # its entries share their purpose and what it was part of
    context = {
        "call": call,
        "entries": entries,
        "purpose": first.purpose if first else "",
        "part_of": spend.belonging(team=request.team, belongs_to=first.belongs_to) if first else None,
        "facts": Paginator(facts, 100).get_page(request.GET.get("page")),
        "points": list(points[:POINTS_SHOWN]),
        "admin": request.membership.is_admin,
    }
    return render(request, "prospecting/spend_call.html", context)
