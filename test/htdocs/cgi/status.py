"""CGI script: a Status header."""

print("Status: 404 Not Found")
print("Content-Type: text/plain")
print()
print("cgi says not found")
