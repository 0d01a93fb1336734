"""The event's rooms for the admin's event tabs (one console link per room), on any page."""

from __future__ import annotations

from django import template

from banzu.editions.resolver import edition_for
from banzu.presentations.models import Room

register = template.Library()


@register.simple_tag(takes_context=True)
def event_rooms(context: template.Context) -> list[Room]:
    """`{% event_rooms as rooms %}`: the rooms of the edition the request works on, in order."""
    request = context.get("request")
    edition = edition_for(request) if request is not None else None
    if edition is None:
        return []
    return list(Room.objects.filter(event__edition=edition).order_by("position").only("pk", "name"))
