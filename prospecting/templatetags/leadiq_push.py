from django import template

from prospecting.services.push import has_leadiq_key

register = template.Library()


@register.simple_tag(takes_context=True)
def team_has_leadiq_key(context):
    """Whether the current team has an active LeadIQ key (the list page shows "Push to LeadIQ" then)."""
    team = getattr(context.get("request"), "team", None)
    return team is not None and has_leadiq_key(team=team)
