app_name = "subscriptions"
urlpatterns: list = []
