"""Settings for the club website (Django 3.2)."""
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEBUG = False
ALLOWED_HOSTS = ["club.example.org"]

# Mail through the provider: port 25 because "587 did not work".
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "mail.provider.example.net"
EMAIL_PORT = 25
EMAIL_HOST_USER = "website@club.example.org"
EMAIL_HOST_PASSWORD = "Vereinsheim1987"
EMAIL_USE_TLS = False
DEFAULT_FROM_EMAIL = "website@club.example.org"
