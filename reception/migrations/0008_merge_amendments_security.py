# Two branches of work each added a 0007 migration (amendments and bookings; evaluation links'
# filer); this joins them. No operations.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reception", "0007_amendments_bookings"),
        ("reception", "0007_security"),
    ]

    operations: list[migrations.operations.base.Operation] = []
