"""An approved cost never changes, even past the services: triggers refuse any change to an
approved cost, its lines, or the amount and state of an order whose cost is approved.

The functions live in the public schema (created once, shared by every tenant schema); the
triggers are created in each schema this migration runs in and are copied by schema cloning.
"""

from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION public.provider_orders_cost_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.approved_at IS NOT NULL THEN
        RAISE EXCEPTION 'provider_orders: an approved cost cannot change (order cost %)', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION public.provider_orders_cost_line_frozen() RETURNS trigger AS $$
DECLARE
    parent bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN parent := OLD.cost_id; ELSE parent := NEW.cost_id; END IF;
    IF EXISTS (SELECT 1 FROM provider_orders_ordercost WHERE id = parent AND approved_at IS NOT NULL) THEN
        RAISE EXCEPTION 'provider_orders: the lines of an approved cost cannot change (order cost %)', parent
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION public.provider_orders_order_cost_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'cost_approved' AND (
        NEW.status IS DISTINCT FROM OLD.status OR NEW.cost_amount IS DISTINCT FROM OLD.cost_amount
    ) THEN
        RAISE EXCEPTION 'provider_orders: the approved cost of order % cannot change', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
"""

TRIGGERS = r"""
CREATE TRIGGER provider_orders_cost_frozen BEFORE UPDATE OR DELETE ON provider_orders_ordercost
    FOR EACH ROW EXECUTE FUNCTION public.provider_orders_cost_frozen();
CREATE TRIGGER provider_orders_cost_line_frozen BEFORE INSERT OR UPDATE OR DELETE ON provider_orders_ordercostline
    FOR EACH ROW EXECUTE FUNCTION public.provider_orders_cost_line_frozen();
CREATE TRIGGER provider_orders_order_cost_frozen BEFORE UPDATE ON provider_orders_order
    FOR EACH ROW EXECUTE FUNCTION public.provider_orders_order_cost_frozen();
"""

DROP_TRIGGERS = r"""
DROP TRIGGER IF EXISTS provider_orders_cost_frozen ON provider_orders_ordercost;
DROP TRIGGER IF EXISTS provider_orders_cost_line_frozen ON provider_orders_ordercostline;
DROP TRIGGER IF EXISTS provider_orders_order_cost_frozen ON provider_orders_order;
"""


class Migration(migrations.Migration):
    dependencies = [("provider_orders", "0001_initial")]

    operations = [migrations.RunSQL(FUNCTIONS + TRIGGERS, DROP_TRIGGERS)]
