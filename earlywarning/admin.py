"""Admin registrations live beside their concept; importing them here registers them."""

from earlywarning import (
    admin_bulletins,  # noqa: F401
    admin_evaluations,  # noqa: F401
    admin_ratings,  # noqa: F401
)
