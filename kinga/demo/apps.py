from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kinga.demo"
    label = "demo"
    verbose_name = "Demo"
