from django.conf import settings

from . import menu


def kinga(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"kinga_menu": [], "LANGUAGES": settings.LANGUAGES}
    return {"kinga_menu": menu.visible_menu(user)}
