"""The report's standards for the rectification work, checked on ``/compliance/`` and counted in
the cadre points: one home for each number."""

# A stationed instructor (驻村指导员) spends at least 20 days a month in the village.
INSTRUCTOR_MIN_DAYS = 20
# A paired county leader visits the village at least once a month (越城区).
LEADER_MIN_VISITS = 1
# A paired department delivers 1–2 welfare projects (惠民工程); a breach is none yet.
DEPARTMENT_MIN_PROJECTS = 1
# 2–3 reserve cadres (后备干部) per village; a breach is fewer than 2.
RESERVE_MIN = 2
# Each party member contacts at least 10 households (包).
HOUSEHOLDS_MIN = 10
