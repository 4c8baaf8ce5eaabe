from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from earlywarning.imports import ScoreImportFailed, import_scores
from earlywarning.models.evaluations import ScoreImport
from villages.models import Region


class Command(BaseCommand):
    help = ("Import a quarter's scores from a large CSV or Excel file (no size limit), all or "
            "nothing, then re-tier the counties. Every error is printed with row and column.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--quarter", required=True, help="e.g. 2026Q3")
        parser.add_argument("--region", required=True,
                            help="division code of the county, township or city")
        parser.add_argument("--replace", action="store_true",
                            help="overwrite scores already stored for the quarter (recorded)")
        parser.add_argument("--user", default=None,
                            help="username recorded as the importer (default: a superuser)")
        parser.add_argument("--check", action="store_true",
                            help="only check the file and print the preview; store nothing")

    def handle(self, *args, file: Path, quarter, region, replace, user, check, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        target = Region.objects.filter(code=region).first()
        if target is None:
            raise CommandError(f"unknown region code {region}")
        actor = self._actor(user)
        try:
            with file.open("rb") as stream:
                result = import_scores(actor=actor, region=target, quarter=quarter, file=stream,
                                       file_name=file.name, replace=replace, dry_run=check,
                                       source=ScoreImport.Source.COMMAND, max_bytes=0)
        except ScoreImportFailed as error:
            for item in error.as_dict()["errors"]:
                self.stderr.write(f"row {item['row'] or '-'} column {item['column'] or '-'}: "
                                  f"{item['message']}")
            raise CommandError("nothing was stored") from None
        except DomainError as error:
            raise CommandError(str(error.message)) from None
        verb = "checked" if check else "stored"
        self.stdout.write(f"{result.villages} villages, {result.scores} scores {verb} for "
                          f"{result.quarter} ({target.name}); {result.replaced} replaced.")
        for tiers in result.tiering:
            self.stdout.write(f"  {tiers.county.name}: " + ", ".join(
                f"class {tier}: {count}" for tier, count in tiers.tiers.items()))

    def _actor(self, username):
        User = get_user_model()
        if username:
            actor = User.objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(f"unknown user {username}")
            return actor
        actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if actor is None:
            raise CommandError("no superuser exists: pass --user")
        return actor
