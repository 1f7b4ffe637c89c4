"""Forms of the prospecting pages."""

from django import forms
from django.utils.html import format_html

from accounts.models import Provider
from accounts.validators import reject_control_characters
from prospecting.models.ledger import AMOUNT, CreditType
from prospecting.providers import PROVIDERS
from prospecting.providers.billing import default_prices, format_price_table, parse_price_table
from prospecting.providers.linkup import LinkupClient
from prospecting.providers.lix import RECRUITER_FACET_PATHS, LixClient
from prospecting.providers.sales_nav import (
    FACETS,
    decode_selection,
    decode_skill,
    lead_search_url,
)
from prospecting.rate_limits import format_rate_limits, parse_rate_limits


def refuse_inner_spaces(value):
    if any(char.isspace() for char in value.strip()):
        raise forms.ValidationError("A LinkedIn id has no spaces: copy it from the profile's URL.")


class ProviderKeyForm(forms.Form):
    """Add or replace one provider's key, with the options that provider needs."""

    label = forms.CharField(
        max_length=100,
        required=False,
        help_text="Which account or plan this is.",
        validators=[reject_control_characters],
    )
    secret = forms.CharField(
        label="API key",
        required=False,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    uses_lix_key = forms.BooleanField(required=False, label="Use the Lix key (LookC keys are often the same)")
    viewer_id = forms.CharField(
        required=False,
        max_length=200,
        label="Lix viewer_id",
        validators=[reject_control_characters, refuse_inner_spaces],
        help_text="The LinkedIn id of your account connected to Lix; needed for LinkedIn searches.",
    )
    recruiter_facet_path = forms.ChoiceField(
        required=False,
        choices=[(path, path) for path in RECRUITER_FACET_PATHS],
        initial=LixClient.default_options["recruiter_facet_path"],
        label="Recruiter facet path",
        help_text="Where Lix answers the Recruiter skill typeahead. Keep the first (Lix's documented path) "
        "unless Quarry says Lix does not know it.",
    )
    country = forms.ChoiceField(
        required=False,
        choices=[(c, c) for c in LinkupClient.countries],
        initial=LinkupClient.default_options["country"],
        label="LinkUp proxy country",
    )
    rate_limits = forms.CharField(
        required=False,
        max_length=200,
        label="Rate limits",
        help_text="Your plan's limits, every window applies: e.g. 25/s, 300/min, 1800/h, 18000/day.",
    )
    prices = forms.CharField(
        required=False,
        max_length=300,
        label="Prices per data point (credits)",
    )

    def __init__(self, *args, provider, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider, self.existing = provider, existing
        self.fields["rate_limits"].widget.attrs["placeholder"] = PROVIDERS[provider].default_rate_limits
        # Required for a new key, unless LookC may borrow Lix's; an existing key keeps its secret if blank.
        self.fields["secret"].required = existing is None and provider != Provider.LOOKC
        if provider != Provider.LOOKC:
            del self.fields["uses_lix_key"]
        if provider != Provider.LIX:
            del self.fields["viewer_id"]
            del self.fields["recruiter_facet_path"]
        if provider != Provider.LINKUP:
            del self.fields["country"]
        if default_prices(provider):
            defaults = format_price_table(provider)
            self.fields["prices"].widget.attrs["placeholder"] = defaults
            self.fields["prices"].help_text = (
                f"What your plan charges for each data point revealed. Leave blank for "
                f"{Provider(provider).label}'s documented prices: {defaults}."
            )
        else:
            del self.fields["prices"]
        if existing:
            # _field.html renders help texts unescaped (password help texts are HTML), and last4 is
            # whatever the key ended with: format_html escapes it.
            self.fields["secret"].help_text = format_html(
                "Current key {}. Leave blank to keep it, or paste a new key to replace it.", existing.masked
            )
            self.initial.update(
                label=existing.label,
                uses_lix_key=existing.uses_lix_key,
                rate_limits=format_rate_limits(existing.options.get("rate_limits")),
                # Blank while the key uses the documented prices, so that it follows them.
                prices=format_price_table(provider, existing.options["prices"])
                if existing.options.get("prices")
                else "",
                **{
                    k: v
                    for k, v in existing.options.items()
                    if k in ("viewer_id", "country", "recruiter_facet_path")
                },
            )

    def clean_secret(self):
        secret = self.cleaned_data["secret"]
        problem = secret and PROVIDERS[self.provider].key_format_error(secret)
        if problem:
            raise forms.ValidationError(problem)
        return secret

    def clean_prices(self):
        return parse_price_table(self.provider, self.cleaned_data["prices"])

    def clean_rate_limits(self):
        return parse_rate_limits(self.cleaned_data["rate_limits"])

    def clean(self):
        cleaned = super().clean()
        keeps_secret = self.existing is not None and not self.existing.uses_lix_key
        if not cleaned.get("uses_lix_key") and not cleaned.get("secret") and not keeps_secret:
            self.add_error("secret", "Paste the API key.")
        if cleaned.get("uses_lix_key") and cleaned.get("secret"):
            self.add_error("secret", "Either paste a LookC key or use the Lix key, not both.")
        return cleaned

    def options(self):
        cleaned = self.cleaned_data
        options = {"rate_limits": cleaned["rate_limits"]} if cleaned.get("rate_limits") else {}
        if cleaned.get("prices"):
            options["prices"] = cleaned["prices"]
        if cleaned.get("viewer_id"):
            options["viewer_id"] = cleaned["viewer_id"].strip()
        if self.provider == Provider.LIX:
            options["recruiter_facet_path"] = (
                cleaned.get("recruiter_facet_path") or LixClient.default_options["recruiter_facet_path"]
            )
        if self.provider == Provider.LINKUP:
            options["country"] = cleaned.get("country") or LinkupClient.default_options["country"]
        return options


# --- Search (prospecting/views/search.py) ---------------------------------------------------------------


class SearchForm(forms.Form):
    """What every search form carries besides its own fields: the page, and `run` (the form was sent)."""

    run = forms.CharField(required=False, initial="1", widget=forms.HiddenInput)
    page = forms.IntegerField(min_value=1, max_value=1000, required=False, widget=forms.HiddenInput)

    # The fields that make the saved query (not paging).
    query_fields = ()

    def query(self):
        return {name: self.cleaned_data[name] for name in self.query_fields}

    def first_page(self):
        return 1


def _given(value):
    return bool(value.strip()) if isinstance(value, str) else bool(value)


def _comma_list(label, help_text=""):
    return forms.CharField(
        label=label,
        required=False,
        max_length=1000,
        help_text=help_text or "Several? Separate them with commas.",
        validators=[reject_control_characters],
    )


LIX_FINDS = [
    ("url", "A pasted LinkedIn or Sales Navigator search, or a job posting"),
    ("connections", "The connections of the LinkedIn account connected to Lix (the key's viewer_id)"),
]
# Searches built on the page, each with a tab of its own (templates/prospecting/_lix_builder.html).
LIX_BUILDERS = {"sales_nav": "Build a Sales Navigator search", "recruiter": "Recruiter: people by skills"}


class ChosenValues(forms.MultipleChoiceField):
    """Values picked in a builder (facet values or skills), each in its one-string form; the builder's
    template shows them, so the widget only carries them."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "invalid_choice": "Quarry could not read a chosen value: remove it and pick it again.",
    }

    def __init__(self, *, decode, **kwargs):
        super().__init__(**kwargs)
        self.decode = decode

    def valid_value(self, value):
        try:
            self.decode(value)
        except ValueError:
            return False
        return True


class LixSearchForm(SearchForm):
    find = forms.ChoiceField(
        label="Search", choices=LIX_FINDS + list(LIX_BUILDERS.items()), initial="url", required=False
    )
    url = forms.CharField(
        label="LinkedIn or Sales Navigator search URL",
        required=False,
        max_length=4000,
        help_text="Run the search on LinkedIn (people, companies, jobs or posts) or in Sales Navigator "
        "(leads), then paste the address from the browser. Its page=N is the page fetched. For the people "
        "hiring for a job, paste the job posting's address (linkedin.com/jobs/view/…) or its id.",
        validators=[reject_control_characters],
    )
    keywords = forms.CharField(
        label="Keywords",
        required=False,
        max_length=300,
        help_text="Words anywhere in a lead's profile, e.g. sales director.",
        validators=[reject_control_characters],
    )
    facets = ChosenValues(decode=decode_selection, required=False, label="Filters")
    skills = ChosenValues(decode=decode_skill, required=False, label="Skills")
    # Lix keeps a search's crawler settings stable across its pages with this id.
    sequence_id = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    query_fields = ("find", "url")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        source = self.data if self.is_bound else self.initial
        mode = source.get("find") or "url"
        self.mode = mode if mode in dict(LIX_FINDS) | LIX_BUILDERS else "url"
        if self.mode in LIX_BUILDERS:
            del self.fields["url"]
            self.fields["find"].widget = forms.HiddenInput()
            unused = ("skills",) if self.mode == "sales_nav" else ("keywords", "facets")
        else:
            self.fields["find"].widget.choices = LIX_FINDS  # the builders have tabs of their own
            unused = ("keywords", "facets", "skills")
        for name in unused:
            del self.fields[name]
        # The builder's look-up, as shown before anything is typed (views/lix_search.py binds it).
        self.finder = FacetFinderForm(skills=self.mode == "recruiter")

    @property
    def builder(self):
        """The builder this form is ("sales_nav" or "recruiter"), "" for a pasted search."""
        return self.mode if self.mode in LIX_BUILDERS else ""

    def clean_url(self):
        from prospecting.services.search import lix_kind_for

        url = self.cleaned_data["url"].strip()
        if self.data.get("find") == "connections":
            return url
        if not url:
            raise forms.ValidationError("Paste the address of the search, or choose the connections.")
        if not lix_kind_for(url):
            raise forms.ValidationError(
                "This is not a search Lix can run: paste the address of a LinkedIn people, companies, jobs "
                "or posts search (linkedin.com/search/results/…, linkedin.com/jobs/search/…), of a Sales "
                "Navigator lead search (linkedin.com/sales/search/people…), or of a job posting "
                "(linkedin.com/jobs/view/…) for its hirers."
            )
        return url

    def clean(self):
        cleaned = super().clean()
        if self.mode == "sales_nav" and "facets" in cleaned and "keywords" in cleaned:
            try:
                cleaned["url"] = lead_search_url(
                    keywords=cleaned["keywords"], selections=[decode_selection(v) for v in cleaned["facets"]]
                )
            except ValueError:
                raise forms.ValidationError(
                    "Type keywords or pick at least one filter: Sales Navigator needs something to search on."
                ) from None
        if self.mode == "recruiter" and "skills" in cleaned:
            skills = [decode_skill(value) for value in cleaned["skills"]]
            if not any(skill.mode != "excluded" for skill in skills):
                raise forms.ValidationError(
                    "Pick at least one skill the people must or may have: Recruiter needs a skill to "
                    "search on (excluded skills only narrow a search)."
                )
        return cleaned

    def query(self):
        cleaned = self.cleaned_data
        if self.mode == "sales_nav":
            # The picks are kept beside the URL built from them, so a saved search can be changed again.
            facets = cleaned["facets"]
            return {
                "find": "sales_nav",
                "keywords": cleaned["keywords"],
                "facets": facets,
                "url": cleaned["url"],
            }
        if self.mode == "recruiter":
            return {"find": "recruiter", "skills": cleaned["skills"]}
        # A pasted search is saved as its URL alone, as before connections could be searched.
        if self.kind() == "connections":
            return {"find": "connections", "url": ""}
        return {"url": cleaned["url"]}

    def kind(self):
        from prospecting.services.search import lix_kind_for

        if self.mode == "sales_nav":
            return "sales_nav_people"
        if self.mode == "recruiter":
            return "recruiter_people"
        # Saved before connections could be searched, a query without `find` is a pasted search.
        if self.cleaned_data.get("find") == "connections":
            return "connections"
        return lix_kind_for(self.cleaned_data["url"])

    def first_page(self):
        from prospecting.services.search import url_page

        if self.builder or self.kind() == "connections":
            return 1
        return url_page(self.cleaned_data["url"])

    # --- What the builder's template shows ---------------------------------------------------------

    def chosen(self):
        """The values picked so far (facet values, or skills), as given: an unreadable one is left out."""
        name, decode = ("facets", decode_selection) if self.mode == "sales_nav" else ("skills", decode_skill)
        if name not in self.fields:
            return []
        found = []
        for value in self[name].value() or []:
            try:
                found.append(decode(value))
            except ValueError:
                continue
        return found

    def built_url(self):
        """The Sales Navigator URL the picks so far make ("" when they make none yet)."""
        if self.mode != "sales_nav":
            return ""
        try:
            return lead_search_url(keywords=self["keywords"].value() or "", selections=self.chosen())
        except ValueError:
            return ""


class FacetFinderForm(forms.Form):
    """What a builder's typeahead looks up: a facet and the text typed (at least MIN_LENGTH letters)."""

    MIN_LENGTH = 2
    facet_type = forms.ChoiceField(
        label="Filter", choices=[(t, f.label) for t, f in FACETS.items()], initial="BING_GEO", required=False
    )
    facet_query = forms.CharField(
        label="Look up",
        required=False,
        max_length=100,
        validators=[reject_control_characters],
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )

    def __init__(self, *args, skills=False, **kwargs):
        super().__init__(*args, **kwargs)
        if skills:
            self.fields["facet_type"].choices = [("skill", "Skill")]
            self.fields["facet_type"].initial = "skill"
            self.fields["facet_type"].widget = forms.HiddenInput()
            self.fields["facet_query"].label = "Find a skill"
        self.fields["facet_query"].widget.attrs["minlength"] = self.MIN_LENGTH

    def clean_facet_query(self):
        text = " ".join(self.cleaned_data["facet_query"].split())
        if len(text) < self.MIN_LENGTH:
            raise forms.ValidationError(f"Type at least {self.MIN_LENGTH} letters to look values up.")
        return text

    def clean_facet_type(self):
        return self.cleaned_data["facet_type"] or self.fields["facet_type"].initial


class LookedUpChoices(forms.MultipleChoiceField):
    """Checkboxes fed by a provider's filter look-up when the form is shown. A search sent later takes any
    value without asking the look-up again: the provider itself refuses what it does not know."""

    widget = forms.CheckboxSelectMultiple

    def valid_value(self, value):
        return 0 < len(str(value).strip()) <= 200


LUSHA_FINDS = [("contacts", "Contacts (people)"), ("companies", "Companies")]
# What a company search can use (the contact filters are a contact search's).
LUSHA_COMPANY_FIELDS = ("countries", "company_names", "company_name_choices", "company_domains")
LUSHA_COMPANY_FIELDS += ("company_location_text", "company_locations", "technology_text", "technologies")
LUSHA_COMPANY_FIELDS += ("industries", "sizes", "revenues")


class PickedValues(forms.MultipleChoiceField):
    """Values picked from a Lusha typeahead (services/lusha_filters.PICKERS): any value a look-up could
    have offered is taken, as the look-up is not asked again when the search is sent."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *args, picker_field, **kwargs):
        self.picker_field = picker_field
        super().__init__(*args, required=False, **kwargs)

    def valid_value(self, value):
        from prospecting.services.lusha_filters import valid_pick

        return valid_pick(self.picker_field, str(value))


def _search_box(label, help_text):
    return forms.CharField(
        label=label,
        required=False,
        max_length=200,
        help_text=help_text,
        validators=[reject_control_characters],
    )


class LushaSearchForm(SearchForm):
    find = forms.ChoiceField(
        label="Search for",
        choices=LUSHA_FINDS,
        initial="contacts",
        required=False,
        help_text="Both searches are free. A company search uses the company filters only.",
    )
    job_titles = _comma_list("Job titles", "For example: CTO, Head of Engineering.")
    department_choices = LookedUpChoices(label="Departments", required=False)
    departments = _comma_list(
        "Other departments", "As Lusha names them, e.g. Engineering & Technical, Sales."
    )
    seniority = LookedUpChoices(label="Seniority", required=False)
    data_points = LookedUpChoices(label="Only contacts Lusha has", required=False)
    contact_location_text = _search_box(
        "Where the contact is", "A city, state or country; pick Lusha's match."
    )
    contact_locations = PickedValues(label="Contact locations", picker_field="contact_locations")
    countries = _comma_list("Countries", "Typed country names, e.g. United Kingdom, France.")
    company_names = _comma_list("Company names", "Type part of a name and pick Lusha's match, or type names.")
    company_name_choices = PickedValues(label="Companies", picker_field="company_name_choices")
    company_domains = _comma_list("Company domains", "For example: acme.com, globex.com.")
    company_location_text = _search_box("Where the company is", "A country or region; pick Lusha's match.")
    company_locations = PickedValues(label="Company locations", picker_field="company_locations")
    technology_text = _search_box("Technologies the company uses", "For example: Salesforce, HubSpot.")
    technologies = PickedValues(label="Technologies", picker_field="technologies")
    industries = LookedUpChoices(
        label="Industries", required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    sizes = LookedUpChoices(label="Company size", required=False)
    revenues = LookedUpChoices(label="Company revenue", required=False)
    query_fields = ("find", "job_titles", "department_choices", "departments", "seniority", "countries")
    query_fields += ("company_names", "company_domains")
    query_fields += ("data_points", "contact_location_text", "contact_locations", "company_name_choices")
    query_fields += ("company_location_text", "company_locations", "technology_text", "technologies")
    query_fields += ("industries", "sizes", "revenues")
    # Fields fed by a look-up when the form is shown (services/lusha_filters.CHOICE_LOOKUPS).
    choice_fields = ("department_choices", "seniority", "data_points", "industries", "sizes", "revenues")

    def __init__(self, *args, lookups=None, suggestions=None, **kwargs):
        """`lookups`: Lusha's own values for the choice fields ({field: choices}); a field without them is
        left out of an unbound form (departments are then typed). `suggestions`: {picker field: [(value,
        label)]} of a look-up just made, offered unticked beside the values already picked."""
        from prospecting.services.lusha_filters import PICKERS, pick_label

        super().__init__(*args, **kwargs)
        self.notes = {}  # picker field -> what its look-up answered, in words
        lookups = lookups or {}
        for name in self.choice_fields:
            self.fields[name].choices = lookups.get(name, [])
        for name, picker in PICKERS.items():
            chosen = self._given_list(name)
            offered = [(v, pick_label(picker, v)) for v in chosen if self.fields[name].valid_value(v)]
            offered += [pair for pair in (suggestions or {}).get(name, []) if pair[0] not in chosen]
            self.fields[name].choices = offered
        if self.is_bound:
            return
        for name in self.choice_fields:
            if not self.fields[name].choices:
                del self.fields[name]
        if "department_choices" not in self.fields:
            self.fields["departments"].label = "Departments"

    def _given_list(self, name):
        if self.is_bound:
            getter = getattr(self.data, "getlist", None)
            values = getter(name) if getter else self.data.get(name)
        else:
            values = self.initial.get(name)
        values = [values] if isinstance(values, str) else list(values or [])
        return [str(value) for value in values]

    def picker(self, name):
        """What the template shows of one typeahead: its search box, the values picked (ticked) and the
        look-up's other matches (unticked)."""
        from prospecting.services.lusha_filters import PICKERS

        picker, chosen = PICKERS[name], set(self._given_list(name))
        choices = self.fields[name].choices
        return {
            "name": name,
            "what": picker.what,
            "box": self[picker.text_field],
            "chosen": [pair for pair in choices if pair[0] in chosen],
            "suggested": [pair for pair in choices if pair[0] not in chosen],
            "note": self.notes.get(name, ""),
            "errors": self[name].errors,
        }

    @property
    def pickers(self):
        from prospecting.services.lusha_filters import PICKERS

        return {name: self.picker(name) for name in PICKERS}

    def query(self):
        multiple = set(self.choice_fields) | {"contact_locations", "company_name_choices", "technologies"}
        multiple |= {"company_locations"}
        return {
            name: self.cleaned_data.get(name) or ([] if name in multiple else "")
            for name in self.query_fields
        }

    def clean(self):
        cleaned = super().clean()
        if self.kind() == "companies":
            if not any(_given(cleaned.get(name)) for name in LUSHA_COMPANY_FIELDS):
                raise forms.ValidationError(
                    "Fill in a company filter (a country, a company, a location, a technology, an industry, "
                    "a size or a revenue): a company search uses those."
                )
        elif not any(_given(cleaned.get(name)) for name in self.query_fields if name != "find"):
            raise forms.ValidationError("Fill in at least one filter: Lusha needs something to search on.")
        return cleaned

    def kind(self):
        # Saved before companies could be searched, a query without `find` is a contact search.
        return "companies" if self.cleaned_data.get("find") == "companies" else "contacts"


LEADIQ_SENIORITIES = [
    ("Executive", "Executive"),
    ("VP", "VP"),
    ("Director", "Director"),
    ("Manager", "Manager"),
    ("SeniorIndividualContributor", "Senior individual contributor"),
    ("Other", "Other"),
]


LEADIQ_FINDS = [
    ("people", "People (advanced search)"),
    ("grouped", "People grouped by company (advanced search)"),
    ("company", "A company, by domain, name or LinkedIn"),
]
LEADIQ_TAKES = [
    ("profile", "Names, titles and LinkedIn profiles"),
    ("company", "The same and each company's data (domain, industry, size)"),
]


LEADIQ_NOT_FILTERS = ("find", "company", "take", "people_per_company")


class LeadiqSearchForm(SearchForm):
    find = forms.ChoiceField(label="Search for", choices=LEADIQ_FINDS, initial="people", required=False)
    company = forms.CharField(
        label="Company domain, name or LinkedIn URL",
        required=False,
        max_length=300,
        help_text="For a company search: one company, e.g. acme.com, Acme Inc or its LinkedIn page.",
        validators=[reject_control_characters],
    )
    titles = _comma_list("Job titles", "For example: VP of Sales, Sales Director.")
    roles = _comma_list("Roles", "LeadIQ's roles, e.g. Sales, Engineering.")
    seniorities = forms.MultipleChoiceField(
        choices=LEADIQ_SENIORITIES, required=False, widget=forms.CheckboxSelectMultiple
    )
    locations = _comma_list("Locations", "For example: United States, London.")
    company_names = _comma_list("Company names")
    company_domains = _comma_list("Company domains")
    take = forms.ChoiceField(
        label="What to take of each result",
        choices=LEADIQ_TAKES,
        initial="profile",
        required=False,
        widget=forms.RadioSelect,
    )
    people_per_company = forms.IntegerField(
        label="People per company",
        min_value=1,
        max_value=10,
        required=False,
        help_text="For a grouped search: at most this many people of each company (1 to 10; 3 if empty).",
    )
    query_fields = ("find", "company", "titles", "roles", "seniorities", "locations", "company_names")
    query_fields += ("company_domains", "take", "people_per_company")

    def __init__(self, *args, **kwargs):
        from prospecting.services.search import leadiq_selection_prices

        super().__init__(*args, **kwargs)
        # LeadIQ bills what is selected: the price of each choice is said beside it, before anything runs.
        self.fields["take"].help_text = (
            f"{leadiq_selection_prices()} More people per company cost more; the confirmation gives the "
            "price with your key before anything is spent."
        )

    def clean(self):
        cleaned = super().clean()
        if self.kind() == "company":
            if not (cleaned.get("company") or "").strip():
                raise forms.ValidationError(
                    "Give the company's domain, name or LinkedIn URL to search for it."
                )
        elif not any(cleaned.get(name) for name in self.query_fields if name not in LEADIQ_NOT_FILTERS):
            raise forms.ValidationError("Fill in at least one filter: LeadIQ needs something to search on.")
        return cleaned

    def kind(self):
        # Saved before companies could be searched, a query without `find` is a people search.
        found = self.cleaned_data.get("find")
        return found if found in ("company", "grouped") else "people"


class SavedSearchForm(forms.Form):
    name = forms.CharField(max_length=200, validators=[reject_control_characters])
    shared = forms.BooleanField(
        label="Share with the team", required=False, help_text="Shared searches are listed for every member."
    )


# --- Lists -----------------------------------------------------------------------------------------


class ProspectListForm(forms.Form):
    name = forms.CharField(max_length=200, validators=[reject_control_characters])

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the list a name.")
        return name


YES_NO_ANY = [("", "Any"), ("yes", "Yes"), ("no", "No")]


class ListFilterForm(forms.Form):
    """The list page's filters and sort, read from the query string (every field optional)."""

    company = forms.CharField(required=False, max_length=200)
    title = forms.CharField(required=False, max_length=200)
    has_email = forms.ChoiceField(required=False, choices=YES_NO_ANY, label="Has email")
    has_phone = forms.ChoiceField(required=False, choices=YES_NO_ANY, label="Has phone")
    email_status = forms.ChoiceField(required=False, label="Email status")
    source = forms.ChoiceField(required=False)
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("-added", "Newest in the list"),
            ("added", "Oldest in the list"),
            ("name", "Name A–Z"),
            ("-name", "Name Z–A"),
            ("company", "Company A–Z"),
            ("-company", "Company Z–A"),
            ("title", "Title A–Z"),
            ("-title", "Title Z–A"),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from prospecting.models import ContactStatus

        self.fields["email_status"].choices = [("", "Any"), *ContactStatus.choices]
        self.fields["source"].choices = [("", "Any source"), *Provider.choices, ("import", "CSV import")]

    def filters(self):
        """The filters for services.lists.list_people; an invalid field is ignored, the others apply."""
        data = self._valid_data()
        yes_no = {"yes": True, "no": False}
        return {
            "company": (data.get("company") or "").strip(),
            "title": (data.get("title") or "").strip(),
            "has_email": yes_no.get(data.get("has_email")),
            "has_phone": yes_no.get(data.get("has_phone")),
            "email_status": data.get("email_status") or "",
            "source": data.get("source") or "",
        }

    def ordering(self):
        return self._valid_data().get("sort") or "-added"

    def _valid_data(self):
        if not self.is_bound:
            return {}
        self.is_valid()  # cleaned_data keeps the fields that are valid
        return self.cleaned_data


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8, with a header row.")


class ImportMappingForm(forms.Form):
    """One choice per column of the uploaded file: which field it fills (or none)."""

    skip_invalid = forms.BooleanField(required=False, label="Import the valid rows and skip the invalid ones")

    def __init__(self, *args, headers, guesses, field_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                required=False,
                label=header or f"Column {index + 1}",
                choices=[("", "— not imported —"), *field_choices],
                initial=guesses.get(index, ""),
            )
        # The checkbox comes after the columns.
        self.order_fields([*(f"column_{i}" for i in range(len(headers))), "skip_invalid"])

    def column_fields(self):
        return [self[f"column_{index}"] for index in range(len(self.headers))]

    def mapping(self):
        """field -> column index, for the columns given a field."""
        mapping = {}
        for index in range(len(self.headers)):
            field = self.cleaned_data.get(f"column_{index}")
            if field:
                mapping.setdefault(field, index)
        return mapping

    def clean(self):
        cleaned = super().clean()
        chosen = [cleaned.get(f"column_{index}") for index in range(len(self.headers))]
        chosen = [field for field in chosen if field]
        if len(chosen) != len(set(chosen)):
            raise forms.ValidationError("Two columns fill the same field: choose one of them.")
        if not chosen:
            raise forms.ValidationError("Choose at least one column to import.")
        return cleaned


class CreditsField(forms.DecimalField):
    """A number of credits as people type it: spaces ("1 000") are ignored; a comma is refused in words,
    since it could be a thousands separator or a decimal comma."""

    def to_python(self, value):
        text = "".join(str(value if value is not None else "").split())
        if "," in text:
            raise forms.ValidationError(
                "Write the number without commas: 1000 for a thousand, 12.5 for twelve and a half.",
                code="comma",
            )
        value = super().to_python(text)
        if value is None or not value.is_finite():
            return value  # the field's own validation refuses NaN and infinities
        return value + 0  # "-0" is 0


TOO_BIG = "That is more than Quarry can record: at most 10 digits before the decimal point."


class BudgetForm(forms.Form):
    """A member's monthly budget, or the team's cap, on one credit type: blank (or Remove) means no limit."""

    credit_type = forms.ChoiceField(
        choices=CreditType.choices,
        error_messages={
            "invalid_choice": "Choose one of the credit types in the table.",
            "required": "Choose a credit type.",
        },
    )
    monthly_limit = CreditsField(
        required=False,
        min_value=0,
        max_digits=AMOUNT["max_digits"],
        decimal_places=AMOUNT["decimal_places"],
        error_messages={
            "invalid": "Enter a number of credits, such as 500 or 12.5, or leave it blank for no limit.",
            "min_value": "A budget cannot be negative: enter 0 or more (0 allows no spending at all).",
            "max_decimal_places": "Use at most 4 decimals, such as 12.5 or 0.1.",
            "max_digits": TOO_BIG,
            "max_whole_digits": TOO_BIG,
        },
    )
    remove = forms.BooleanField(required=False)

    def limit(self):
        """The limit to set: None (no limit) for Remove or a blank field."""
        return None if self.cleaned_data["remove"] else self.cleaned_data["monthly_limit"]
