"""Reconciliation, for team admins: the providers' own figures against the ledger, the button that reads
them now, and the adjustment form for a difference nothing explains."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from accounts.audit import client_ip
from accounts.decorators import team_admin_required
from accounts.models import ProviderKey
from prospecting.models import CreditComparison, EntryKind, LedgerEntry
from prospecting.services import reconciliation as service
from prospecting.services.ledger import credits_text
from prospecting.views.keys import when_text


class AdjustmentForm(forms.Form):
    # Kept beside its only view: one small form (forms.py holds the pages' bigger ones).
    amount = forms.DecimalField(
        max_digits=14,
        decimal_places=4,
        help_text="Positive: the provider charged more than the ledger shows; negative: less.",
    )
    reason = forms.CharField(
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the entry and in the audit trail.",
    )


def _rows(team):
    return [
        {"comparison": c, "suggested": service.suggested_adjustment(c)}
        for c in service.latest_comparisons(team)
    ]


@team_admin_required
def reconciliation(request):
    if request.method == "POST":
        run, started = service.start_reconciliation(team=request.team, user=request.user)
        if started:
            messages.info(
                request,
                "Reading the providers' balances in the background: this page shows them as they come.",
            )
        else:
            messages.info(
                request, "A reading is already under way: this page shows its results when it ends."
            )
        return redirect("reconciliation")
    run = service.latest_run(request.team)
    rows = _rows(request.team)
    context = {
        "run": run,
        "running": run is not None and run.is_running,
        "run_when": when_text(run.finished_at or run.started_at) if run else "",
        "rows": rows,
        "to_settle": [row for row in rows if row["suggested"] is not None],
        "readings": service.latest_readings(request.team),
        "no_figures": service.no_figure_notes(request.team),
        "readable": service.readable_keys(request.team).exists(),
        "has_keys": ProviderKey.objects.for_team(request.team).active().exists(),
        "adjustments": LedgerEntry.objects.for_team(request.team)
        .filter(kind=EntryKind.ADJUSTMENT)
        .select_related("booked_by")[:10],
        "form": AdjustmentForm(),
    }
    template = "prospecting/reconciliation.html"
    return render(request, f"{template}#reconciliation-live" if request.htmx else template, context)


@team_admin_required
def reconciliation_adjust(request, pk):
    comparison = get_object_or_404(
        CreditComparison.objects.for_team(request.team).select_related("key", "previous", "reading"), pk=pk
    )
    suggested = service.suggested_adjustment(comparison)
    form = AdjustmentForm(request.POST or None, initial={"amount": suggested})
    if request.method == "POST" and form.is_valid():
        try:
            entry = service.book_adjustment(
                comparison=comparison,
                actor=request.user,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            amount = f"{'+' if entry.amount > 0 else ''}{credits_text(entry.amount, entry.credit_type)}"
            messages.success(request, f"Booked an adjustment of {amount}: {entry.note}")
            return redirect("reconciliation")
    context = {"comparison": comparison, "form": form, "suggested": suggested}
    status = 400 if form.errors else 200
    return render(request, "prospecting/reconciliation_adjust.html", context, status=status)
