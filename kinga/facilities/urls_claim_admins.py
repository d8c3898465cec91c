app_name = "claim_admins"
urlpatterns: list = []
