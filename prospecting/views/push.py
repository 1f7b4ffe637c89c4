"""Pushing a list to LeadIQ Prospector: a confirmation page saying what the push will do and what it
costs, then a results page that follows the background push (htmx, or a refresh without JS) and lists
every person LeadIQ did not take, with LeadIQ's words.

Any member may push, as any member may export the list to CSV: a push sends the same people (never the
suppressed ones) to the team's own LeadIQ account, and Prospector calls cost no credits."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from accounts.decorators import team_required
from prospecting.models import LeadiqPush, ProspectList
from prospecting.services.push import has_leadiq_key, push_preview, start_leadiq_push


@team_required
def list_push(request, pk):
    prospect_list = get_object_or_404(ProspectList.objects.for_team(request.team), pk=pk)
    has_key = has_leadiq_key(team=request.team)
    if request.method == "POST" and has_key:
        push = start_leadiq_push(prospect_list=prospect_list, user=request.user)
        return redirect("list_push_result", pk=prospect_list.pk, push_pk=push.pk)
    if request.method == "POST":
        messages.error(request, "This team has no LeadIQ key: a team admin adds it under Provider keys.")
    context = {
        "prospect_list": prospect_list,
        "has_key": has_key,
        **push_preview(prospect_list=prospect_list),
    }
    return render(
        request, "prospecting/push_confirm.html", context, status=400 if request.method == "POST" else 200
    )


@team_required
def list_push_result(request, pk, push_pk):
    prospect_list = get_object_or_404(ProspectList.objects.for_team(request.team), pk=pk)
    push = get_object_or_404(
        LeadiqPush.objects.for_team(request.team).filter(prospect_list=prospect_list), pk=push_pk
    )
    template = "prospecting/push_result.html#push-live" if request.htmx else "prospecting/push_result.html"
    return render(request, template, {"prospect_list": prospect_list, "push": push})
