"""People and companies: suppression (`contactable`), keeping search results, and their pages."""

from django.utils import timezone

from prospecting.models import (
    Company,
    ContactPoint,
    Identifier,
    IdentifierKind,
    Person,
    Suppression,
    SuppressionKind,
)


def _person(team, name, *, email="", linkedin="", company=None):
    person = Person.objects.create(team=team, full_name=name, company=company)
    if email:
        ContactPoint.objects.create(
            team=team,
            person=person,
            kind="email",
            value=email,
            domain=email.split("@")[1],
            source="lusha",
            obtained_at=timezone.now(),
        )
    if linkedin:
        Identifier.objects.create(team=team, person=person, kind=IdentifierKind.LINKEDIN, value=linkedin)
    return person


def _company(team, name, *, domain="", linkedin_id=""):
    company = Company.objects.create(team=team, name=name, domain=domain, linkedin_id=linkedin_id)
    if domain:
        Identifier.objects.create(team=team, company=company, kind=IdentifierKind.DOMAIN, value=domain)
    if linkedin_id:
        Identifier.objects.create(
            team=team, company=company, kind=IdentifierKind.COMPANY_LINKEDIN, value=linkedin_id
        )
    return company


def _suppress(team, kind, value):
    Suppression.objects.create(team=team, kind=kind, value=value)


def _contactable_names(team):
    return set(Person.objects.for_team(team).contactable().values_list("full_name", flat=True))


def test_unsuppressed_people_are_contactable(team_a):
    _person(team_a, "Jane", email="jane@acme.test", linkedin="jane-doe")
    _person(team_a, "Nobody")
    assert _contactable_names(team_a) == {"Jane", "Nobody"}


def test_a_suppressed_email_makes_its_person_not_contactable(team_a):
    _person(team_a, "Jane", email="jane@acme.test")
    _person(team_a, "John", email="john@acme.test")
    _suppress(team_a, SuppressionKind.EMAIL, "jane@acme.test")
    assert _contactable_names(team_a) == {"John"}


def test_a_suppressed_email_domain_covers_every_address_at_it(team_a):
    _person(team_a, "Jane", email="jane@acme.test")
    _person(team_a, "John", email="john@acme.test")
    _person(team_a, "Ann", email="ann@other.test")
    _suppress(team_a, SuppressionKind.DOMAIN, "acme.test")
    assert _contactable_names(team_a) == {"Ann"}


def test_a_suppressed_linkedin_profile_makes_its_person_not_contactable(team_a):
    _person(team_a, "Jane", linkedin="jane-doe")
    _person(team_a, "John", linkedin="john-doe")
    _suppress(team_a, SuppressionKind.LINKEDIN, "jane-doe")
    assert _contactable_names(team_a) == {"John"}


def test_a_suppressed_company_covers_its_people_by_domain_or_linkedin_id(team_a):
    acme = _company(team_a, "Acme", domain="acme.test")
    globex = _company(team_a, "Globex", linkedin_id="globex")
    initech = _company(team_a, "Initech", domain="initech.test")
    _person(team_a, "Jane", company=acme)
    _person(team_a, "John", company=globex)
    _person(team_a, "Ann", company=initech)
    _person(team_a, "Free agent")
    _suppress(team_a, SuppressionKind.COMPANY, "acme.test")
    _suppress(team_a, SuppressionKind.COMPANY, "globex")
    assert _contactable_names(team_a) == {"Ann", "Free agent"}


def test_a_suppressed_domain_also_covers_the_company_of_that_domain(team_a):
    acme = _company(team_a, "Acme", domain="acme.test")
    _person(team_a, "Jane", company=acme)  # no email known yet
    _suppress(team_a, SuppressionKind.DOMAIN, "acme.test")
    assert _contactable_names(team_a) == set()


def test_another_teams_suppression_list_does_not_apply(team_a, team_b):
    _person(team_a, "Jane", email="jane@acme.test", linkedin="jane-doe")
    _suppress(team_b, SuppressionKind.EMAIL, "jane@acme.test")
    _suppress(team_b, SuppressionKind.LINKEDIN, "jane-doe")
    _suppress(team_b, SuppressionKind.DOMAIN, "acme.test")
    assert _contactable_names(team_a) == {"Jane"}


def test_suppressed_and_with_suppressed_agree_with_contactable(team_a):
    _person(team_a, "Jane", email="jane@acme.test")
    _person(team_a, "John", email="john@other.test")
    _suppress(team_a, SuppressionKind.EMAIL, "jane@acme.test")
    people = Person.objects.for_team(team_a)
    assert set(people.suppressed().values_list("full_name", flat=True)) == {"Jane"}
    assert {p.full_name: p.is_suppressed for p in people.with_suppressed()} == {"Jane": True, "John": False}


def test_a_person_with_several_matches_is_listed_once(team_a):
    _person(team_a, "Jane", email="jane@acme.test", linkedin="jane-doe")
    assert Person.objects.for_team(team_a).with_suppressed().count() == 1
    _suppress(team_a, SuppressionKind.EMAIL, "jane@acme.test")
    _suppress(team_a, SuppressionKind.LINKEDIN, "jane-doe")
    assert Person.objects.for_team(team_a).suppressed().count() == 1
