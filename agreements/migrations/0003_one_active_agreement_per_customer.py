"""At most one active agreement per municipality on any date, held by PostgreSQL itself.

An exclusion constraint over (customer, [start_date, end_date]) for agreements that are or were in
force (active or ended). It needs btree_gist and exists on PostgreSQL only; on other databases (SQLite in
the embedded default) the service layer enforces the same rule.
"""

from django.db import migrations

CONSTRAINT = "agreement_one_in_force_per_customer"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE agreements_agreement ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist ("
        "customer_id WITH =, "
        "daterange(start_date, coalesce(end_date, 'infinity'::date), '[]') WITH &&"
        ") WHERE (status IN ('active', 'ended'))"
    )


def remove_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE agreements_agreement DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("agreements", "0002_change_requests_line_changes_notice_reminders")]

    operations = [migrations.RunPython(add_constraint, remove_constraint)]
