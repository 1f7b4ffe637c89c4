"""Search pages: one form per provider search, a results table with paging, every row selectable and
kept as a record, and saved searches (saved_searches below).

A search runs when its form is sent (`run=1`). A page that costs credits is never run by a GET: the GET
shows what it costs and asks to confirm, and only the confirmation (a POST) calls the provider. A results
page carries its rows signed in the form, so keeping rows or saving the search calls nobody again.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.decorators import post_to_object, team_required
from prospecting.forms import (
    LeadiqSearchForm,
    LixSearchForm,
    LushaSearchForm,
    ProspectListForm,
    SavedSearchForm,
)
from prospecting.models import ProspectList, SavedSearch
from prospecting.services.lists import add_to_list, create_list
from prospecting.services.lusha_filters import PICKERS, lusha_filter_choices, lusha_suggestions
from prospecting.services.quotes import quote_lusha_enrichment, quote_search
from prospecting.services.search import (
    LEADIQ_GROUPS_PAGE_SIZE,
    LEADIQ_PEOPLE_PER_COMPANY,
    SEARCHES,
    SearchFailed,
    cost_text,
    enrich_contacts,
    keep_results,
    page_price_text,
    results_from_state,
    results_state,
    run_search,
    save_search,
    search_cost,
    search_price_text,
)

FORMS = {"lix": LixSearchForm, "lusha": LushaSearchForm, "leadiq": LeadiqSearchForm}
PROVIDER_NAMES = {"lix": "Lix", "lusha": "Lusha", "leadiq": "LeadIQ"}
STATE_SALT = "prospecting.search.results"
# Fields that take several values (checkboxes).
LIST_FIELDS = (
    *("seniorities", "seniority", "department_choices"),  # Lusha's and LeadIQ's choices
    *("facets", "skills"),  # Lix's builders
    *("data_points", "contact_locations", "company_name_choices", "company_locations", "technologies"),
    *("industries", "sizes", "revenues"),  # Lusha's look-ups
)
SAVED_RUN, CONTINUE = "saved_run", "continue"
PAGING_FIELDS = ("page", "sequence_id", SAVED_RUN)


def _form(request, provider, *, data=None, initial=None, lookup=""):
    """The form as shown to fill in: Lusha's offers its own filter values (free look-ups, cached), and
    after a "Find" (`lookup`, the no-JS typeahead) the matches of the text typed in that picker."""
    if provider != "lusha":
        return FORMS[provider](data, initial=initial)
    found = lusha_filter_choices(team=request.team, user=request.user)
    suggestions, notes = {}, {}
    if lookup in PICKERS:
        text = (initial or {}).get(PICKERS[lookup].text_field) or ""
        matches = lusha_suggestions(team=request.team, user=request.user, field=lookup, text=text)
        suggestions[lookup], notes[lookup] = matches.values, matches.note
    form = LushaSearchForm(data, initial=initial, lookups=found.choices, suggestions=suggestions)
    form.notes, form.unavailable = notes, found.unavailable
    return form


@team_required
def search_lusha_typeahead(request):
    """One Lusha picker's matches for the text typed (htmx, `input changed delay:400ms`): the values
    already picked stay ticked, the look-up's other matches come unticked. The look-up is free."""
    field = request.GET.get("field", "")
    if field not in PICKERS:
        raise Http404("No such Lusha filter.")
    text = request.GET.get(PICKERS[field].text_field, "")
    matches = lusha_suggestions(team=request.team, user=request.user, field=field, text=text)
    form = LushaSearchForm(initial={field: request.GET.getlist(field)}, suggestions={field: matches.values})
    form.notes = {field: matches.note}
    return render(request, "prospecting/_lusha_picks.html", {"p": form.picker(field), "note": matches.note})


@team_required
def search_home(request):
    return redirect("search_lix")


@team_required
def search_lix(request):
    return _search_page(request, "lix")


@team_required
def search_lusha(request):
    return _search_page(request, "lusha")


@team_required
def search_leadiq(request):
    return _search_page(request, "leadiq")


def _search_page(request, provider):
    data = request.POST if request.method == "POST" else request.GET
    context = {
        "provider": provider,
        "provider_name": PROVIDER_NAMES[provider],
        "page_price": page_price_text(provider),
        "company_price": search_price_text("leadiq", "company") if provider == "leadiq" else "",
        "grouped_price": search_price_text("leadiq", "grouped") if provider == "leadiq" else "",
        "grouped_shape": f"{LEADIQ_GROUPS_PAGE_SIZE} companies, {LEADIQ_PEOPLE_PER_COMPANY} people each",
    }
    if not data.get("run") or data.get("lookup"):
        # Prefilled when coming back from a confirmation ("Change the search") or from a picker's "Find"
        # (the typeahead without JS); a changed search starts afresh, so neither the page nor Lix's
        # sequence_id is carried.
        initial = {name: data.get(name) for name in data if name not in LIST_FIELDS + PAGING_FIELDS}
        initial |= {name: data.getlist(name) for name in LIST_FIELDS} | {"run": "1"}
        form = _form(request, provider, initial=initial, lookup=data.get("lookup", ""))
        return _render_form(request, form, context)
    form = FORMS[provider](data)
    if not form.is_valid():
        return _render_form(request, _form(request, provider, data=data), context)
    kind, query = form.kind(), form.query()
    page = form.cleaned_data.get("page") or form.first_page()
    sequence_id = form.cleaned_data.get("sequence_id") or ""
    saved = None
    if data.get("saved"):
        saved = get_object_or_404(_visible_searches(request), pk=_int(data.get("saved")))
    # A paging link of a saved search's run carries this: the page adds to that run, not a new one.
    continue_run = saved is not None and data.get(SAVED_RUN) == CONTINUE
    try:
        quote = quote_search(
            team=request.team, user=request.user, provider=provider, kind=kind, query=query, page=page
        )
        if not quote.free and not (request.method == "POST" and data.get("confirm")):
            fields = _form_fields(provider, query, page, sequence_id, saved)
            if continue_run:
                fields[SAVED_RUN] = CONTINUE
            hidden = [
                (name, one)
                for name, value in fields.items()
                for one in (value if isinstance(value, list) else [value])
            ]
            return render(
                request,
                "prospecting/search_confirm.html",
                context
                | {
                    "form": form,
                    "search": SEARCHES[(provider, kind)],
                    "quote": quote,
                    "hidden": hidden,
                    "page": page,
                    "back": f"{reverse(f'search_{provider}')}?{urlencode(fields | {'run': ''}, doseq=True)}",
                },
            )
        results = run_search(
            team=request.team,
            user=request.user,
            provider=provider,
            kind=kind,
            query=query,
            page=page,
            sequence_id=sequence_id,
            saved=saved,
            continue_run=continue_run,
        )
    except SearchFailed as failure:
        return _render_form(request, form, context | {"failure": failure})
    return _render_results(request, results, context | {"form": form, "saved": saved})


def _render_form(request, form, context):
    return render(request, "prospecting/search.html", context | {"form": form})


def _render_results(request, results, context):
    provider = results.provider
    paging = {}
    saved = context.get("saved")
    for page, wanted in ((results.page - 1, results.has_previous), (results.page + 1, results.has_next)):
        if wanted:
            # A saved search's pages stay in its run: marked against its previous run, adding to this one.
            fields = _form_fields(provider, results.query, page, results.sequence_id, saved)
            if saved is not None:
                fields[SAVED_RUN] = CONTINUE
            paging[page] = f"{reverse(f'search_{provider}')}?{urlencode(fields, doseq=True)}"
    # The saved search travels with the page, so keeping or enriching rows keeps the run's paging and marks.
    state = {"team": request.team.pk, "saved": saved.pk if saved else None, **results_state(results)}
    try:
        page_cost = cost_text(
            search_cost(
                team=request.team,
                provider=provider,
                kind=results.kind,
                query=results.query,
                page=results.page + 1,
            )
        )
    except SearchFailed:
        page_cost = ""
    return render(
        request,
        "prospecting/search_results.html",
        context
        | {
            "provider": provider,
            "provider_name": PROVIDER_NAMES[provider],
            "results": results,
            "search": SEARCHES[(provider, results.kind)],
            "state": signing.dumps(state, salt=STATE_SALT, compress=True),
            "previous_url": paging.get(results.page - 1),
            "next_url": paging.get(results.page + 1),
            "page_cost": page_cost,
            "save_form": context.get("save_form") or SavedSearchForm(),
            "team_lists": ProspectList.objects.for_team(request.team).only("pk", "name"),
        },
    )


def _form_fields(provider, query, page, sequence_id, saved):
    """The GET parameters that name one page of a search (the form's own fields)."""
    fields = {"run": "1", **{name: value for name, value in query.items() if value not in (None, "", [])}}
    fields["page"] = page
    if sequence_id:
        fields["sequence_id"] = sequence_id
    if saved is not None:
        fields["saved"] = saved.pk
    return fields


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("No such saved search.") from None


def _results_from_post(request):
    """The results page a keep, enrich or save form carried, signed, marked afresh, and the saved search
    whose run it is (None, or when that search is gone or no longer visible). 404 when tampered with or
    another team's."""
    try:
        state = signing.loads(request.POST.get("state", ""), salt=STATE_SALT)
    except signing.BadSignature:
        raise Http404("These results are no longer available: run the search again.") from None
    if state.get("team") != request.team.pk or (state.get("provider"), state.get("kind")) not in SEARCHES:
        raise Http404("These results are no longer available: run the search again.")
    saved = _visible_searches(request).filter(pk=state.get("saved") or None).first()
    previous = saved.previous_result_keys if saved else None
    return results_from_state(team=request.team, state=state, previous_keys=previous), saved


@team_required
@require_POST
def search_keep(request):
    results, saved = _results_from_post(request)
    selected = [int(value) for value in request.POST.getlist("selected") if value.isdigit()]
    to_list, new_name = request.POST.get("to_list", ""), request.POST.get("new_list_name", "").strip()
    prospect_list = None
    if to_list and to_list != "new":
        prospect_list = get_object_or_404(ProspectList.objects.for_team(request.team), pk=_int(to_list))
    if request.POST.get("back"):
        pass  # back from a confirmation that was not given: the results again, nothing kept
    elif not selected:
        messages.warning(request, "Nothing was kept: tick the rows to keep first.")
    elif to_list == "new" and not new_name:
        messages.error(request, "Nothing was kept: name the new list, or choose an existing one.")
    elif to_list == "new" and not (name_form := ProspectListForm({"name": new_name})).is_valid():
        messages.error(request, "Nothing was kept: " + " ".join(name_form.errors["name"]))
    else:
        kept = keep_results(team=request.team, user=request.user, results=results, selected=selected)
        what = "people" if results.finds == "people" else "companies"
        one = "person" if results.finds == "people" else "company"
        if kept:
            text = f"Kept {len(kept)} {one if len(kept) == 1 else what} in your records"
            if to_list == "new":
                prospect_list = create_list(
                    team=request.team, user=request.user, name=name_form.cleaned_data["name"]
                )
            if prospect_list is not None:
                added = add_to_list(prospect_list=prospect_list, user=request.user, **{what: kept})
                already = len({record.pk for record in kept}) - added
                text += f" and added {added} to the list “{prospect_list.name}”"
                if already:
                    text += f" ({already} {'was' if already == 1 else 'were'} in it already)"
            messages.success(request, text + ".")
        elif (results.provider, results.kind) == ("lusha", "contacts"):
            messages.warning(
                request,
                "Nothing was kept: Lusha's search shows names only. Enrich the ticked contacts to keep "
                "them (enriching reveals the contact and keeps it).",
            )
        else:
            messages.warning(request, "Nothing was kept: nothing identifies the rows ticked.")
        # Marked again: the rows just kept now show as records the team has (and in which lists).
        results, saved = _results_from_post(request)
    return _render_results(request, results, {"saved": saved})


@team_required
@require_POST
def search_enrich(request):
    """Enrich the ticked rows of a Lusha contact search: the first POST shows the price with the team's
    key and asks; only the confirmation (`confirm`) calls Lusha."""
    results, saved = _results_from_post(request)
    if (results.provider, results.kind) != ("lusha", "contacts"):
        raise Http404("Only a Lusha contact search's results can be enriched.")
    selected = [int(value) for value in request.POST.getlist("selected") if value.isdigit()]
    context = {"provider": "lusha", "provider_name": PROVIDER_NAMES["lusha"]}
    kept = []
    try:
        # Contacts whose email and phone the team has, fresh, are left out (quote.to_buy): not bought again.
        quote, plan = quote_lusha_enrichment(
            team=request.team, user=request.user, results=results, selected=selected
        )
        if quote.to_buy and not request.POST.get("confirm"):
            state = request.POST.get("state", "")
            return render(
                request,
                "prospecting/search_enrich_confirm.html",
                context | {"plan": plan, "quote": quote, "state": state, "selected": selected},
            )
        if quote.to_buy:
            _, kept = enrich_contacts(
                team=request.team, user=request.user, results=results, selected=quote.to_buy
            )
    except SearchFailed as failure:
        messages.error(request, f"Nothing was enriched: {failure.message} {failure.advice}".strip())
        return _render_results(request, results, {"saved": saved})
    messages.add_message(request, *_enrichment_outcome(plan, quote, kept))
    # Marked again: the people just kept now show as records the team has.
    results, saved = _results_from_post(request)
    return _render_results(request, results, {"saved": saved})


def _enrichment_outcome(plan, quote, kept):
    """(message level, text) of an enrichment, or of one with nothing to buy."""
    if not quote.to_buy:
        return messages.WARNING, _nothing_to_enrich(plan.refused, quote)
    if not kept:
        return messages.WARNING, (
            "Lusha found nothing more about the contacts ticked; only what it found is charged."
        )
    text = f"Enriched and kept {len(kept)} {'person' if len(kept) == 1 else 'people'}"
    if plan.refused:
        verb = "was" if plan.refused == 1 else "were"
        text += f"; {plan.refused} on the do-not-contact list {verb} left out"
    if quote.owned:
        text += f"; {_owned_text(quote)}"
    return messages.SUCCESS, text + "."


def _owned_text(quote):
    one = quote.owned == 1
    who = f"{quote.owned} {'contact' if one else 'contacts'} already {'has' if one else 'have'}"
    return (
        f"{who} a fresh email and phone in Quarry (obtained in the last {quote.fresh_days} days) and "
        f"{'was' if one else 'were'} not bought again"
    )


def _nothing_to_enrich(refused, owned_quote=None):
    reasons = []
    if refused:
        reasons.append(
            f"the {refused} ticked {'contact is' if refused == 1 else 'contacts are'} on the do-not-contact "
            "list, and suppressed people are never enriched"
        )
    if owned_quote is not None and owned_quote.owned:
        reasons.append(_owned_text(owned_quote))
    if not reasons:
        return "Nothing was enriched: tick the contacts to enrich first."
    return "Nothing was enriched: " + "; ".join(reasons) + "."


# --- Saved searches ------------------------------------------------------------------------------------


def _visible_searches(request):
    return SavedSearch.objects.for_team(request.team).visible_to(request.user)


@team_required
def saved_searches(request):
    searches = _visible_searches(request).select_related("owner", "last_run_by")
    rows = [
        {"search": search, "label": _label(search), "mine": search.owner_id == request.user.pk}
        for search in searches
    ]
    return render(request, "prospecting/saved_searches.html", {"rows": rows})


def _label(search):
    found = SEARCHES.get((search.provider, search.kind))
    return found.label if found else search.kind


@team_required
@require_POST
def saved_search_create(request):
    results, _run_of = _results_from_post(request)
    form = SavedSearchForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the search a name to save it.")
        return _render_results(request, results, {"save_form": form})
    saved = save_search(
        team=request.team,
        user=request.user,
        name=form.cleaned_data["name"],
        shared=form.cleaned_data["shared"],
        results=results,
    )
    messages.success(request, f"Saved “{saved.name}”: run it again from Saved searches.")
    return redirect("saved_searches")


@team_required
def saved_search_run(request, pk):
    saved = get_object_or_404(_visible_searches(request), pk=pk)
    if saved.provider not in FORMS or (saved.provider, saved.kind) not in SEARCHES:
        raise Http404("Quarry can no longer run this search.")
    form = FORMS[saved.provider](data={"run": "1", **_as_form_data(saved.query)})
    page = form.first_page() if form.is_valid() else 1
    fields = _form_fields(saved.provider, saved.query, page, "", saved)
    return redirect(f"{reverse(f'search_{saved.provider}')}?{urlencode(fields, doseq=True)}")


def _as_form_data(query):
    return {name: value for name, value in query.items() if value not in (None, False)}


@team_required
@post_to_object(_visible_searches)
def saved_search_delete(request, saved):
    if saved.owner_id != request.user.pk and not request.membership.is_admin:
        messages.error(request, "Only its owner or a team admin can delete a shared search.")
        return redirect("saved_searches")
    saved.delete()
    messages.success(request, f"Deleted the saved search “{saved.name}”.")
    return redirect("saved_searches")
