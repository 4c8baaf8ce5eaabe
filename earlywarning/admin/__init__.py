"""Admin registrations live beside their concept; importing them here registers them."""

from earlywarning.admin import bulletins, evaluations, ratings  # noqa: F401
