"""The demo data builder behind ``load_demo``, at the top of the layers: it fills every app.

``villages.py`` builds the region tree, villages, grades, people and users and then calls the
other builders in order: ``scores.py`` (quarters of 111-indicator scores and tiers),
``ratings.py`` (half-monthly colors), ``casework.py`` (cases, teams, pairings, ledgers),
``bulletins.py`` (published monthly bulletins), ``points.py`` (the points ledger, posted month by
month) and ``lineage.py`` (a merger and a split in 诸暨市).
"""
