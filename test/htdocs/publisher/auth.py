"""Publisher auth hooks in every form (test_500_publisher.py).

Module level: __auth_realm__ and a dict __auth__; objects below add more.
"""

__auth_realm__ = "module realm"
__auth__ = {"alice": "wonderland", "bob": "builder"}


def public(req):
    return f"hello {req.user}"


def only_alice(req):
    return "alice only"


only_alice.__access__ = ["alice"]


def nested(req):
    def __auth__(req, user, password):
        return user == "bob" and password == "builder"

    __auth_realm__ = "nested realm"  # noqa: F841 - read by the publisher
    return f"nested ok {req.user}"


def nested_access(req):
    __access__ = False  # noqa: F841 - read by the publisher
    return "never"


def nested_access_fn(req):
    def __access__(req, user):
        return user == "alice"

    return "access fn ok"


def nested_dict(req):
    __auth__ = {"alice": "x"}  # noqa: F841 - refused by the publisher
    return "should not be published"


class Protected:
    __auth_realm__ = "object realm"

    def __auth__(self, req, user, password):
        return password == "builder"

    def page(self, req):
        return f"protected {req.user}"


protected = Protected()


class Closed:
    __access__ = 0

    def page(self, req):
        return "closed"


closed = Closed()
