"""People and company pages: everything known about a record, with where each value came from."""

from collections import defaultdict
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.decorators import post_to_object, team_required
from accounts.models import Provider
from prospecting.forms import ProspectListForm
from prospecting.models import (
    Company,
    Person,
    ProspectList,
    ProviderCall,
)
from prospecting.services import lists as list_services

FIELD_LABELS = {
    "full_name": "Name",
    "first_name": "First name",
    "last_name": "Last name",
    "title": "Title",
    "location": "Location",
    "company_name": "Company",
    "company_domain": "Company domain",
    "company_linkedin_id": "Company LinkedIn",
    "name": "Name",
    "domain": "Domain",
    "linkedin_id": "LinkedIn",
    "industry": "Industry",
    "size": "Size",
}
# Emails and phones show with their contact points, not among the other values.
CONTACT_FIELDS = ("email", "phone")


def source_label(source):
    return "Import" if source == "import" else dict(Provider.choices).get(source, source)


@team_required
def people(request):
    query = request.GET.get("q", "").strip()[:200]
    found = Person.objects.for_team(request.team).with_suppressed().select_related("company")
    if query:
        found = found.filter(
            Q(full_name__icontains=query)
            | Q(company_name__icontains=query)
            | Q(company__name__icontains=query)
        )
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    context = {"page": page, "q": query, "paging_query": urlencode({"q": query}) + "&" if query else ""}
    return render(request, "prospecting/people.html", context)


@team_required
def person_detail(request, pk):
    person = get_object_or_404(
        Person.objects.for_team(request.team).with_suppressed().select_related("company"), pk=pk
    )
    facts = list(person.facts.all())
    points = list(person.contact_points.all())
    calls = _calls_about(request.team, facts + points)
    reported = defaultdict(list)  # (kind, value) -> every source's word on it
    for fact in facts:
        if fact.field in CONTACT_FIELDS:
            reported[(fact.field, fact.value)].append(_provenance(fact, calls))
    context = {
        "person": person,
        "values": _grouped_values([f for f in facts if f.field not in CONTACT_FIELDS], calls, person),
        "contact_points": [
            {
                "point": point,
                "source": source_label(point.source),
                "call": calls.get(point.call_id),
                "reported": reported.get((point.kind, point.value), []),
            }
            for point in points
        ],
        "identifiers": _identifiers(person.identifiers.all()),
        "calls": sorted(calls.values(), key=lambda call: (call.created_at, call.pk), reverse=True),
        "lists": ProspectList.objects.for_team(request.team).filter(entries__person=person).distinct(),
        "other_lists": _other_lists(request.team, entries__person=person),
        "merges": person.merges.select_related("user"),
        "add_url": reverse("person_add_to_list", args=[person.pk]),
        "record_field": "person",
        "record": person,
    }
    return render(request, "prospecting/person_detail.html", context)


@team_required
def company_detail(request, pk):
    company = get_object_or_404(Company.objects.for_team(request.team).with_suppressed(), pk=pk)
    facts = list(company.facts.all())
    calls = _calls_about(request.team, facts)
    identifiers = list(company.identifiers.all())
    people_here = Person.objects.for_team(request.team).filter(company=company).with_suppressed()
    context = {
        "company": company,
        "values": _grouped_values(facts, calls, company),
        "identifiers": _identifiers(identifiers),
        "calls": sorted(calls.values(), key=lambda call: (call.created_at, call.pk), reverse=True),
        "lists": ProspectList.objects.for_team(request.team).filter(entries__company=company).distinct(),
        "other_lists": _other_lists(request.team, entries__company=company),
        "people": Paginator(people_here, 50).get_page(request.GET.get("page")),
        "merges": company.merges.select_related("user"),
        "add_url": reverse("company_add_to_list", args=[company.pk]),
        "record_field": "company",
        "record": company,
    }
    return render(request, "prospecting/company_detail.html", context)


def _other_lists(team, **in_list):
    """The team's lists this record is not in yet, for the "Add to list" choice."""
    return ProspectList.objects.for_team(team).exclude(**in_list).order_by("name", "pk").only("pk", "name")


def _team_people(request):
    return Person.objects.for_team(request.team)


def _team_companies(request):
    return Company.objects.for_team(request.team)


@team_required
@post_to_object(_team_people)
def person_add_to_list(request, person):
    return _add_to_list(request, people=[person.pk], back=redirect("person_detail", pk=person.pk))


@team_required
@post_to_object(_team_companies)
def company_add_to_list(request, company):
    return _add_to_list(request, companies=[company.pk], back=redirect("company_detail", pk=company.pk))


def _add_to_list(request, *, back, people=(), companies=()):
    """Adds the record to the chosen list of the team, or to a new list named in the form."""
    new_name = request.POST.get("new_list", "").strip()
    if new_name:
        form = ProspectListForm({"name": new_name})
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["name"]))
            return back
        prospect_list = list_services.create_list(
            team=request.team, user=request.user, name=form.cleaned_data["name"]
        )
    else:
        chosen = request.POST.get("list", "")
        if not chosen.isdigit():
            messages.error(request, "Choose a list, or name a new one.")
            return back
        prospect_list = get_object_or_404(ProspectList.objects.for_team(request.team), pk=int(chosen))
    added = list_services.add_to_list(
        prospect_list=prospect_list, people=people, companies=companies, user=request.user
    )
    if added:
        messages.success(request, f"Added to “{prospect_list.name}”.")
    else:
        messages.info(request, f"Already in “{prospect_list.name}”.")
    return back


def _calls_about(team, rows):
    """The provider calls that bought these values, by id (one query)."""
    ids = {row.call_id for row in rows if row.call_id}
    return ProviderCall.objects.for_team(team).select_related("user").in_bulk(ids) if ids else {}


def _provenance(fact, calls):
    return {"fact": fact, "source": source_label(fact.source), "call": calls.get(fact.call_id)}


def _grouped_values(facts, calls, record):
    """Field by field, every value with its provenance, newest first; a field whose sources disagree
    is marked, and the value the record shows is marked current."""
    by_field = defaultdict(list)
    for fact in sorted(facts, key=lambda f: (f.obtained_at, f.pk), reverse=True):
        by_field[fact.field].append(_provenance(fact, calls))
    order = list(FIELD_LABELS)
    groups = []
    for field in sorted(by_field, key=lambda f: order.index(f) if f in order else len(order)):
        rows = by_field[field]
        shown = getattr(record, field, None)
        groups.append(
            {
                "label": FIELD_LABELS.get(field, field.replace("_", " ").capitalize()),
                "rows": rows,
                "conflict": len({row["fact"].value for row in rows}) > 1,
                "shown": shown if shown is not None else rows[0]["fact"].value,
            }
        )
    return groups


def _identifiers(identifiers):
    return [
        {
            "identifier": identifier,
            "label": identifier.get_kind_display(),
            "source": source_label(identifier.source),
        }
        for identifier in identifiers
    ]
