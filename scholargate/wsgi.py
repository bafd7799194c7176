"""WSGI entry point (gunicorn scholargate.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from scholargate.longlived import freeze_after_warm_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scholargate.settings.prod")

application = get_wsgi_application()
freeze_after_warm_up()
