"""CGI script: sys.exit() after output is a normal end."""

import sys

print("Content-Type: text/plain")
print()
print("before exit")
sys.exit(0)
