app_name = "pricelists"
urlpatterns: list = []
