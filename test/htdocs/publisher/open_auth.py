"""Publisher: callable __auth__ at module level, constant __access__ on a
function, no hooks (Digest header must not give 400)."""


def __auth__(req, user, password):
    return password == "pw-" + user


def page(req):
    return "authed " + req.user
