"""CGI script: binary output through sys.stdout.buffer."""

import sys

sys.stdout.write("Content-Type: application/octet-stream\r\n\r\n")
sys.stdout.flush()
sys.stdout.buffer.write(bytes(range(256)))
