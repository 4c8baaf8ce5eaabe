"""Timing and reporting shared by the benchmarks."""

import os
import statistics
import time
from collections.abc import Callable

REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def median_seconds(action: Callable[[], object], *, repeats: int = REPEATS,
                   warmup: int = 2) -> float:
    """Median wall time of ``repeats`` calls after ``warmup`` untimed ones (machines are noisy)."""
    for _ in range(warmup):
        action()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(name: str, project: float, baseline: float, unit: str, goal: str,
           ratio: float | None = None) -> str:
    ratio = project / baseline if ratio is None else ratio
    line = (f"{name}: project {project:.4g} {unit}, baseline {baseline:.4g} {unit}, "
            f"ratio {ratio:.2f} (goal {goal})")
    print(line, flush=True)
    return line


def ensure_villages(count: int) -> None:
    from django.core.management import call_command

    from villages.models import Village

    if Village.objects.count() < count * 0.95:
        started = time.perf_counter()
        call_command("load_demo", villages=count, verbosity=0)
        print(f"(loaded {count} demo villages in {time.perf_counter() - started:.1f} s)",
              flush=True)
