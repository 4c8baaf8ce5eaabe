"""The rectification work (整顿转化): cases, problem types, campaigns, help teams, pairings,
visits, projects, instructor days, personnel measures, the 挂牌销号 ledger and the points
ledger (积分制).

Records of the work are evidence of what the county did: every foreign key is PROTECT, and
nothing here is deleted by any surface (ledger items least of all). Writes go through the
domain modules (``cases.py``, ``ledger.py``, ``teams.py``, ``pairing.py``).
"""

from casework.models.cases import (  # noqa: F401
    OPEN_CASE_STATUSES,
    Campaign,
    Case,
    CaseMeasure,
    CaseSource,
    CaseStatus,
    Method,
    Outcome,
)
from casework.models.evidence import (  # noqa: F401
    EvidenceFile,
    evidence_path,
    evidence_storage,
)
from casework.models.ledger import (  # noqa: F401
    LedgerItem,
    LedgerStatus,
)
from casework.models.lineage import CarriedWork  # noqa: F401
from casework.models.pairing import (  # noqa: F401
    NAMED_KINDS,
    PERSON_KINDS,
    InstructorDays,
    Pairing,
    PairingKind,
    Project,
    ProjectKind,
    ProjectStatus,
    Visit,
)
from casework.models.people import (  # noqa: F401
    HouseholdContact,
    MeasureKind,
    PersonnelMeasure,
)
from casework.models.points import (  # noqa: F401
    DERIVED_SOURCES,
    POINTS_LIMIT,
    PointsEntry,
    PointsRule,
    PointsSource,
)
from casework.models.problems import (  # noqa: F401
    ProblemGroup,
    ProblemType,
)
from casework.models.teams import (  # noqa: F401
    CoordinationMeeting,
    HelpTeam,
    HelpTeamMember,
    HelpTeamStatus,
    HelpTeamVillage,
    TeamRole,
)
