"""WSGI entry of the minimal Django site."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djsite.settings")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
