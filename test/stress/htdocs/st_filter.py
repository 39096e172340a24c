"""PythonOutputFilter st_filter::upper STUPPER: upper-cases the body."""


def upper(filt) -> None:
    data = filt.read()
    while data:
        filt.write(data.upper())
        data = filt.read()
    if data is None:
        filt.close()
