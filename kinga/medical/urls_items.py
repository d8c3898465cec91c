app_name = "items"
urlpatterns: list = []
