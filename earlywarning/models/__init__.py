"""Early-warning models, one module per concept; import them here so Django finds them."""

from earlywarning.models.approvals import QuarterApproval  # noqa: F401
from earlywarning.models.bulletins import Bulletin, BulletinEntry, BulletinStatus  # noqa: F401
from earlywarning.models.consequences import (  # noqa: F401
    AwardEligibility,
    EligibilityStatus,
    Talk,
    TalkStatus,
)
from earlywarning.models.evaluations import *  # noqa: F403
from earlywarning.models.ratings import (  # noqa: F401
    Color,
    LockException,
    Notification,
    RatingStatus,
    WarningRating,
)
from earlywarning.models.roster import (  # noqa: F401
    ChangeKind,
    DecisionAction,
    RosterChange,
    RosterDecision,
    RosterEntry,
    RosterPeriod,
    RosterReason,
)
