app_name = "payers"
urlpatterns: list = []
