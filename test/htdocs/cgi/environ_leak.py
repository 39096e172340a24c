"""CGI script: shows whether a variable of an earlier request leaked."""

import os

print("Content-Type: text/plain")
print()
print(os.environ.get("HTTP_X_LEAK", "no leak"))
