"""gunicorn baseline_wsgi (with --pythonpath bench): the baseline under the same server."""

import os

os.environ["DJANGO_SETTINGS_MODULE"] = "baseline_settings"

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
