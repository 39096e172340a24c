"""Index of a sub directory."""


def index(req):
    return "sub index"


def other(req):
    return "sub other"
