from django.db import migrations


def seed(apps, schema_editor):
    from linli.cases import catalogue

    catalogue.seed(apps.get_model("cases", "ServiceCategory"), apps.get_model("cases", "TierRule"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
