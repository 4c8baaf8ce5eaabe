import resource
import time

from django.core.management.base import BaseCommand, CommandError

from rectify.demo.common import DEMO_PASSWORD
from rectify.demo.villages import DEFAULT_VILLAGES, DemoBuilder


class Command(BaseCommand):
    help = ("Load deterministic demo data: 绍兴市 and 余姚市 with villages, branches, grades, "
            "people in post and the demo accounts. Running it again changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--villages", type=int, default=DEFAULT_VILLAGES,
                            help="about how many villages (default %(default)s)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed")

    def handle(self, *args, villages, seed, **options):
        if villages < 10:
            raise CommandError("--villages must be at least 10")
        started = time.perf_counter()
        report = DemoBuilder(villages=villages, seed=seed).build()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Demo data: {report.regions} regions, {report.villages} villages, "
            f"{report.grades} grades, {report.people} people, {report.posts} posts created.")
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}): {', '.join(report.users)}")
        # Linux reports the peak in KiB.
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(f"Loaded in {seconds:.1f} s, peak RSS {peak:.0f} MB.")
