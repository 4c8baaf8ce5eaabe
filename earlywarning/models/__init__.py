"""Early-warning models, one module per concept; import them here so Django finds them."""

from earlywarning.models.bulletins import Bulletin, BulletinEntry, BulletinStatus  # noqa: F401
from earlywarning.models.evaluations import *  # noqa: F403
from earlywarning.models.ratings import (  # noqa: F401
    Color,
    LockException,
    Notification,
    RatingStatus,
    WarningListAction,
    WarningListChange,
    WarningRating,
)
