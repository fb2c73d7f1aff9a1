app_name = "distribution"

urlpatterns: list = []
