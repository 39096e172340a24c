"""A directory without index.py."""


def page(req):
    return "only page"
