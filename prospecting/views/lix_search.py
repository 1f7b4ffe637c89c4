"""The Lix search builders' typeahead: a Sales Navigator lead search made of facet values, and a Recruiter
search made of skills (templates/prospecting/_lix_builder.html). The search itself runs through the
search page (views/search.py), so its price, confirmation, paging, keeping and saving are the same.

One URL answers the builder's three needs. With htmx it returns only what changed: the values matching
the text typed (`#lix-facet-values`), or the chosen values with one more picked (`#lix-chosen`, no
call to Lix). Without JavaScript its "Find" and pick buttons submit the whole builder here, and the
whole search page comes back with the builder as it was, the pick added and the values found.
"""

from django.shortcuts import redirect, render

from accounts.decorators import team_required
from prospecting.forms import FacetFinderForm, LixSearchForm
from prospecting.services.facets import facet_offers, find_facet_values, with_pick
from prospecting.services.search import SearchFailed, page_price_text

CHOSEN_ID, VALUES_ID = "lix-chosen", "lix-facet-values"


@team_required
def search_lix_values(request):
    form = _builder_with_pick(request.GET)
    if not form.builder:
        return redirect("search_lix")
    form.finder = FacetFinderForm(request.GET, skills=form.builder == "recruiter")
    # "Type at least 2 letters" answers a look-up, not a pick.
    show_hint = not request.GET.getlist("add")
    context = {"form": form, "offers": [], "lookup_failure": None, "looked_up": False, "show_hint": show_hint}
    target = request.htmx.target if request.htmx else ""
    if target == CHOSEN_ID:
        return render(request, "prospecting/_lix_builder.html#chosen", context)
    if form.finder.is_valid():
        facet_type, query = form.finder.cleaned_data["facet_type"], form.finder.cleaned_data["facet_query"]
        try:
            values = find_facet_values(
                team=request.team, user=request.user, facet_type=facet_type, query=query
            )
            context["offers"] = facet_offers(facet_type, values)
        except SearchFailed as failure:
            context["lookup_failure"] = failure
        context["looked_up"] = True
    if target == VALUES_ID:
        return render(request, "prospecting/_lix_builder.html#facet-values", context)
    return render(
        request,
        "prospecting/search.html",
        context | {"provider": "lix", "provider_name": "Lix", "page_price": page_price_text("lix")},
    )


def _builder_with_pick(data):
    """The builder as sent, with the value picked (`add`) added."""
    builder = data.get("find")
    name = "skills" if builder == "recruiter" else "facets"
    chosen = with_pick(builder=builder, chosen=data.getlist(name), picked=data.getlist("add"))
    initial = {"find": builder, "run": "1", name: chosen}
    if builder == "sales_nav":
        initial["keywords"] = data.get("keywords", "")
    return LixSearchForm(initial=initial)
