"""Output filter: upper-cases the response, brigade by brigade."""


def upper(filter):
    s = filter.read()
    while s:
        filter.write(s.upper())
        s = filter.read()
    if s is None:
        filter.close()
