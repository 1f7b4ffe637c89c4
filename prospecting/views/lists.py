"""The team's lists: index and create, a list's page (filter, sort, pages), rename, delete, add and
remove people or companies, export to CSV, import from CSV (upload, map columns, preview, import)."""

import csv
import math

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django_htmx.http import HttpResponseClientRedirect

from accounts.audit import client_ip
from accounts.decorators import post_to_object, team_required
from prospecting.forms import ImportMappingForm, ImportUploadForm, ListFilterForm, ProspectListForm
from prospecting.models import Company, ImportJob, ImportState, Person, ProspectList
from prospecting.services import csv_import, import_jobs
from prospecting.services import lists as list_services
from prospecting.services.csv_export import clear_export, export_rows
from prospecting.services.csv_read import CsvFileError

PAGE_SIZE = 50
# Invalid rows listed on a page; all of them (up to import_jobs.MAX_ERRORS_KEPT) are in the CSV download.
ERRORS_SHOWN = 100

# A list page counts its matching people only this far past the page shown ("more than ..." beyond):
# a full COUNT reads every matching person (0.3 to 0.5 s for 100,000), the bounded one stops.
COUNT_UP_TO = 10_000


class BoundedPaginator(Paginator):
    """A Paginator whose count stops COUNT_UP_TO rows past the start of the page asked for; `more` is
    True when there are more rows than `count`. Every page stays reachable by next/previous (the count
    grows with the page asked for); a page past the end shows the last one, as Paginator's does."""

    def __init__(self, object_list, per_page, *, number):
        super().__init__(object_list, per_page)
        self.more = False
        try:
            self.start = max(int(number) - 1, 0) * per_page
        except (TypeError, ValueError):
            self.start = 0

    def _counted(self, start):
        # No ordering: counting needs no sort, and without one the database stops at the bound.
        return self.object_list.order_by()[start : start + COUNT_UP_TO + 1].count()

    @cached_property
    def count(self):
        found = self._counted(self.start)
        if not found and self.start:
            # Past the end (a stale link): the whole count, once, to show the true last page.
            return self.object_list.count()
        self.more = found > COUNT_UP_TO
        return self.start + min(found, COUNT_UP_TO)

    @cached_property
    def num_pages(self):
        counted = self.count  # sets `more`
        # With more rows than counted, there is at least one row past the count: its page exists.
        return math.ceil((counted + self.more) / self.per_page) if counted else 1


def _team_lists(request):
    return ProspectList.objects.for_team(request.team)


@team_required
def lists(request):
    form = ProspectListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        prospect_list = list_services.create_list(
            team=request.team, user=request.user, name=form.cleaned_data["name"]
        )
        messages.success(request, f"The list “{prospect_list.name}” was created.")
        return redirect("list_detail", pk=prospect_list.pk)
    team_lists = _team_lists(request).select_related("created_by")
    page = Paginator(team_lists, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = list_services.entry_counts([item.pk for item in page.object_list])
    rows = [(item, counts.get(item.pk, (0, 0))) for item in page.object_list]
    status = 400 if form.errors else 200
    return render(
        request, "prospecting/lists.html", {"form": form, "page": page, "rows": rows}, status=status
    )


@team_required
def list_detail(request, pk):
    prospect_list = get_object_or_404(_team_lists(request), pk=pk)
    filter_form = ListFilterForm(request.GET or None)
    # A team with no do-not-contact entry skips the matching (the marks, and the count: no request).
    marking = list_services.team_suppresses(request.team)
    people = list_services.list_people(
        prospect_list, filters=filter_form.filters(), sort=filter_form.ordering()
    )
    companies = list_services.list_companies(prospect_list)
    if marking:
        companies = companies.with_suppressed()
    number = request.GET.get("page")
    page = BoundedPaginator(people, PAGE_SIZE, number=number).get_page(number)
    page.object_list = list_services.with_contact_points(page.object_list)
    if marking:
        list_services.mark_suppressed(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    companies = Paginator(companies, PAGE_SIZE).get_page(request.GET.get("companies_page"))
    context = {
        "prospect_list": prospect_list,
        "filter_form": filter_form,
        "filtering": any(value not in ("", None) for value in filter_form.filters().values()),
        "page": page,
        "query": f"{query.urlencode()}&" if query else "",
        "companies": companies,
        "marking": marking,
        "imports": ImportJob.objects.for_team(request.team).active().filter(prospect_list=prospect_list),
    }
    return render(request, "prospecting/list_detail.html", context)


@team_required
def list_suppressed(request, pk):
    """How many of the list's people are on the do-not-contact list (and an admin's export including
    them). The list page asks for it after it has loaded (htmx), or links here without JavaScript:
    at 1,000,000 people the count takes longer than the rest of the page."""
    prospect_list = get_object_or_404(_team_lists(request), pk=pk)
    context = {"prospect_list": prospect_list, "suppressed": list_services.suppressed_count(prospect_list)}
    template = "prospecting/list_suppressed.html"
    return render(request, f"{template}#suppressed-count" if request.htmx else template, context)


@team_required
def list_rename(request, pk):
    prospect_list = get_object_or_404(_team_lists(request), pk=pk)
    form = ProspectListForm(request.POST or None, initial={"name": prospect_list.name})
    if request.method == "POST" and form.is_valid():
        list_services.rename_list(prospect_list=prospect_list, name=form.cleaned_data["name"])
        messages.success(request, f"The list is now called “{prospect_list.name}”.")
        return redirect("list_detail", pk=prospect_list.pk)
    context = {"form": form, "prospect_list": prospect_list}
    return render(request, "prospecting/list_rename.html", context, status=400 if form.errors else 200)


@team_required
def list_delete(request, pk):
    prospect_list = get_object_or_404(_team_lists(request), pk=pk)
    if request.method != "POST":
        count = prospect_list.entries.count()
        return render(
            request, "prospecting/list_delete.html", {"prospect_list": prospect_list, "count": count}
        )
    name = prospect_list.name
    list_services.delete_list(prospect_list=prospect_list)
    messages.success(request, f"The list “{name}” was deleted. Its people and companies are still kept.")
    return redirect("lists")


def _posted_records(request, model, name):
    """The team's records named by the POSTed ids; any id that is not one of them answers 404."""
    try:
        ids = {int(value) for value in request.POST.getlist(name) if value.strip()}
    except ValueError:
        raise Http404("No such record.") from None
    found = set(model.objects.for_team(request.team).filter(pk__in=ids).values_list("pk", flat=True))
    if found != ids:
        raise Http404("No such record.")
    return ids


def _back(request, prospect_list):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("list_detail", pk=prospect_list.pk)


@team_required
@post_to_object(_team_lists)
def list_add(request, prospect_list):
    people = _posted_records(request, Person, "person")
    companies = _posted_records(request, Company, "company")
    added = list_services.add_to_list(
        prospect_list=prospect_list, people=people, companies=companies, user=request.user
    )
    already = len(people) + len(companies) - added
    text = f"{added} added to “{prospect_list.name}”"
    messages.success(request, f"{text}; {already} already there." if already else f"{text}.")
    return _back(request, prospect_list)


@team_required
@post_to_object(_team_lists)
def list_remove(request, prospect_list):
    people = _posted_records(request, Person, "person")
    companies = _posted_records(request, Company, "company")
    if not people and not companies:
        messages.error(request, "Select the people or companies to remove first.")
        return _back(request, prospect_list)
    removed = list_services.remove_from_list(prospect_list=prospect_list, people=people, companies=companies)
    messages.success(request, f"{removed} removed from “{prospect_list.name}”.")
    return _back(request, prospect_list)


class _Echo:
    """A file-like object whose write returns the line: csv.writer then yields lines to stream."""

    def write(self, value):
        return value


@team_required
def list_export(request, pk):
    """The list's people as CSV, leaving out the suppressed ones (the do-not-contact gate)."""
    prospect_list = get_object_or_404(_team_lists(request), pk=pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    clearance = clear_export(prospect_list=prospect_list)
    return _csv_response(prospect_list, clearance.people)


@team_required
@post_to_object(_team_lists)
def list_export_override(request, prospect_list):
    """An admin's export that includes the suppressed people of the list, once, with a reason the
    audit trail keeps."""
    if not request.membership.is_admin:
        raise PermissionDenied("Only a team admin can export people on the do-not-contact list.")
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, "Say why this export includes people on the do-not-contact list.")
        return redirect("list_detail", pk=prospect_list.pk)
    clearance = clear_export(
        prospect_list=prospect_list, override_by=request.user, reason=reason, ip=client_ip(request)
    )
    return _csv_response(prospect_list, clearance.people)


def _csv_response(prospect_list, people):
    writer = csv.writer(_Echo())

    def lines():
        # A byte-order mark, so that Excel reads the file as UTF-8 (imports accept it).
        yield "\ufeff"
        for row in export_rows(prospect_list, people=people):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    filename = slugify(prospect_list.name) or f"list-{prospect_list.pk}"
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _team_import(request, prospect_list, job_pk):
    return get_object_or_404(
        ImportJob.objects.for_team(request.team).filter(prospect_list=prospect_list), pk=job_pk
    )


@team_required
def list_import(request, pk):
    """Step 1: upload a file. It is read and kept on an ImportJob for the mapping step."""
    prospect_list = get_object_or_404(_team_lists(request), pk=pk)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_jobs.upload_import(
                prospect_list=prospect_list, user=request.user, upload=form.cleaned_data["file"]
            )
        except CsvFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("list_import_map", pk=prospect_list.pk, job_pk=job.pk)
    context = {
        "form": form,
        "prospect_list": prospect_list,
        "max_mb": csv_import.MAX_IMPORT_BYTES // 1_000_000,
        "max_rows": csv_import.MAX_IMPORT_ROWS,
        "inline_rows": import_jobs.INLINE_ROWS,
    }
    return render(request, "prospecting/list_import.html", context, status=400 if form.errors else 200)


@team_required
def list_import_map(request, pk, job_pk):
    """Step 2: say which column fills which field, see the first rows, import: a small file now, a
    large one in the background (then its progress page)."""
    prospect_list = get_object_or_404(_team_lists(request), pk=pk)
    job = _team_import(request, prospect_list, job_pk)
    if job.state != ImportState.UPLOADED:
        return redirect("list_import_progress", pk=prospect_list.pk, job_pk=job.pk)
    # After a try that found invalid rows, the columns stay as the user mapped them.
    chosen = {int(index): name for name, index in job.mapping.items()}
    form = ImportMappingForm(
        request.POST or None,
        headers=job.headers,
        guesses=chosen or csv_import.guess_mapping(job.headers),
        field_choices=list(csv_import.FIELDS.items()),
        initial={"skip_invalid": job.skip_invalid},
    )
    if request.method == "POST" and form.is_valid():
        job = import_jobs.start_import(
            job=job, mapping=form.mapping(), skip_invalid=form.cleaned_data["skip_invalid"]
        )
        if job.state == ImportState.DONE:
            messages.success(request, import_jobs.summary(job))
            return redirect("list_detail", pk=prospect_list.pk)
        if job.state != ImportState.UPLOADED:  # queued for a worker, or failed
            return redirect("list_import_progress", pk=prospect_list.pk, job_pk=job.pk)
    errors = [tuple(error) for error in job.errors]
    context = {
        "prospect_list": prospect_list,
        "job": job,
        "form": form,
        "inline": job.total <= import_jobs.INLINE_ROWS,
        "errors": errors,
        "shown_errors": errors[:ERRORS_SHOWN],
    }
    status = 400 if form.errors or errors else 200
    return render(request, "prospecting/list_import_map.html", context, status=status)


@team_required
def list_import_progress(request, pk, job_pk):
    """Step 3 of a large import: rows done of the total while it runs (htmx every second, or a refresh
    without JS), then what it did and the rows it skipped."""
    prospect_list = get_object_or_404(_team_lists(request), pk=pk)
    job = _team_import(request, prospect_list, job_pk)
    if job.state == ImportState.UPLOADED:
        # Stopped on invalid rows, or not started: the mapping page says what to do.
        url = reverse("list_import_map", args=[prospect_list.pk, job.pk])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    done = import_jobs.processed(job)
    context = {
        "prospect_list": prospect_list,
        "job": job,
        "done": done,
        "percent": int(100 * done / job.total) if job.total else 0,
        "shown_errors": job.errors[:ERRORS_SHOWN],
    }
    template = "prospecting/list_import_progress.html"
    return render(request, f"{template}#import-live" if request.htmx else template, context)


@team_required
def list_import_errors(request, pk, job_pk):
    """The invalid rows of an import as CSV: the row number and why, to fix the file."""
    prospect_list = get_object_or_404(_team_lists(request), pk=pk)
    job = _team_import(request, prospect_list, job_pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    writer = csv.writer(_Echo())
    lines = ["\ufeff", writer.writerow(["Row", "Why"])]
    lines += [writer.writerow(error) for error in job.errors]
    response = HttpResponse("".join(lines), content_type="text/csv; charset=utf-8")
    name = slugify(job.filename.rsplit(".", 1)[0]) or "import"
    response["Content-Disposition"] = f'attachment; filename="{name}-invalid-rows.csv"'
    return response
