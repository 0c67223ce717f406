from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from throttling.views import can_unlock, lockouts


@hooks.register("register_admin_urls")
def register_lockout_urls():
    return [path("sign-in-lockouts/", lockouts, name="sign_in_lockouts")]


class LockoutsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_unlock(request.user)


@hooks.register("register_settings_menu_item")
def register_lockouts_menu_item():
    return LockoutsMenuItem("Sign-in lockouts", reverse("sign_in_lockouts"), icon_name="lock", order=900)
