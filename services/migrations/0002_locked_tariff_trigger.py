"""On PostgreSQL the database itself refuses to change or delete a locked tariff, also for bulk
updates that bypass ``Tariff.save``. Elsewhere (SQLite in ``make run``) the model and the service
layer enforce the rule alone."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION services_tariff_locked_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.locked_at IS NOT NULL THEN
            RAISE EXCEPTION 'tariff % is locked: an issued invoice used it', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.locked_at IS NOT NULL AND (
        NEW.unit_price IS DISTINCT FROM OLD.unit_price
        OR NEW.year IS DISTINCT FROM OLD.year
        OR NEW.service_id IS DISTINCT FROM OLD.service_id
        OR NEW.locked_at IS NULL
    ) THEN
        RAISE EXCEPTION 'tariff % is locked: an issued invoice used it', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS services_tariff_locked_guard ON services_tariff;
CREATE TRIGGER services_tariff_locked_guard
    BEFORE UPDATE OR DELETE ON services_tariff
    FOR EACH ROW EXECUTE FUNCTION services_tariff_locked_guard();
"""

DROP = """
DROP TRIGGER IF EXISTS services_tariff_locked_guard ON services_tariff;
DROP FUNCTION IF EXISTS services_tariff_locked_guard();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
