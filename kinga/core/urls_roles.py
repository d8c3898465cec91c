app_name = "roles"
urlpatterns: list = []
