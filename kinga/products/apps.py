from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    name = "kinga.products"
    label = "products"
    verbose_name = _("Insurance products")

    def ready(self) -> None:
        from kinga.core import menu
        from kinga.core.rights import Right

        menu.add(
            "administration", menu.Entry(_("Products"), "products:list", (Right.PRODUCT_SEARCH,))
        )
        menu.add(
            "administration",
            menu.Entry(_("Health programmes"), "programmes:list", (Right.PRODUCT_SEARCH,)),
        )
