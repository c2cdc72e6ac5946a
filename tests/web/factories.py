"""factory_boy factories for the web tests."""

from __future__ import annotations

import factory

from safercity.web.accounts.models import Agency, TOTPDevice, User

PASSWORD = "correct-horse-battery-staple"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = Agency.Kind.COUNCIL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    agency = factory.SubFactory(AgencyFactory)
    role = User.Role.ANALYST
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


def two_step_app(user: User, *, confirmed: bool = True) -> TOTPDevice:
    """An authenticator app for ``user`` (two-step sign-in on when confirmed)."""
    import secrets

    device = TOTPDevice(user=user, name="Authenticator app", confirmed=confirmed)
    device.bin_key = secrets.token_bytes(20)
    device.save()
    if confirmed:
        User.objects.filter(pk=user.pk).update(totp_enabled=True)
        user.totp_enabled = True
    return device


def code_for(device: TOTPDevice, at: float | None = None) -> str:
    """The code ``device``'s app shows at ``at`` (now by default)."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, step=TOTPDevice.STEP)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def next_step(steps: int = 1) -> float:
    """A moment ``steps`` 30-second steps from now (the code a phone shows a little later)."""
    import time

    return (int(time.time()) // TOTPDevice.STEP + steps) * TOTPDevice.STEP + 1.0
