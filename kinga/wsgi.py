import os

from django.core.wsgi import get_wsgi_application

from kinga.startup import check_configuration

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinga.settings")
check_configuration()
application = get_wsgi_application()
