"""A helper module next to the CGI scripts (re-imported on every request)."""

VALUE = "helper v1"
