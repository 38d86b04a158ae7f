"""Template pieces of the production layer: the last fixity run (integrity panel)."""

from django import template

register = template.Library()


@register.inclusion_tag("registry/production/_fixity_panel.html")
def fixity_panel():
    from registry.actions.maintenance import last_fixity

    run = last_fixity()
    return {"fixity": run, "problems": (run.problems[:20] if run else [])}
