"""Published through mod_python.publisher: /stress/st_pub/add?a=1&b=2."""


def add(req, a: str = "0", b: str = "0") -> str:
    return f"pub {int(a) + int(b)}"
