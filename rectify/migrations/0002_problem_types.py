from django.db import migrations


def load(apps, schema_editor):
    from rectify.problem_types import PROBLEM_TYPES

    ProblemType = apps.get_model("rectify", "ProblemType")
    for code, group, order, word, name, remedy in PROBLEM_TYPES:
        ProblemType.objects.update_or_create(
            code=code, defaults={"group": group, "order": order, "word": word, "name": name,
                                 "remedy": remedy})


class Migration(migrations.Migration):
    dependencies = [("rectify", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
