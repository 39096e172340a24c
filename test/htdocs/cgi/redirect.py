"""CGI script: a Location header gives a 302."""

print("Location: /cgi/hello.py")
print()
