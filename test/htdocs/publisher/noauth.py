"""Publisher page without hooks."""


def page(req):
    return "no auth needed"
