from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "safercity.web.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from safercity.web.audit.registry import register

        from .models import Agency, User

        register(Agency)
        register(
            User,
            personal=True,
            # sign-in bookkeeping; the services record lock, reset and two-step events themselves
            ignore_fields={
                "last_login",
                "failed_logins",
                "locked_until",
                "updated_at",
                "session_generation",
                "temporary_password_until",
            },
            # a change of privilege must stand out; names and addresses are only "changed"
            shown_values={
                "role",
                "is_active",
                "totp_enabled",
                "agency",
                "is_staff",
                "is_superuser",
            },
        )
