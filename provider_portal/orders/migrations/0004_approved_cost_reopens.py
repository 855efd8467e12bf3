"""An approved cost may be reopened (finance, with a reason, so that a returned reception list can
be corrected), and still never changes while approved.

The triggers of 0002 refused every change to an approved cost. They now let exactly one through:
the approval itself withdrawn (approved_at and approved_by cleared, every other column as it
was), and the order going back from `cost_approved` to `cost_reported` with its amount unchanged.
Anything else done to an approved cost, its lines or its amount is still refused by the database.
"""

from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION public.provider_orders_cost_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.approved_at IS NOT NULL THEN
        IF TG_OP = 'UPDATE' AND NEW.approved_at IS NULL AND NEW.approved_by_id IS NULL
            AND NEW.id = OLD.id AND NEW.order_id = OLD.order_id
            AND NEW.invoice_number = OLD.invoice_number AND NEW.total = OLD.total
            AND NEW.reported_by_id = OLD.reported_by_id AND NEW.reported_at = OLD.reported_at THEN
            RETURN NEW;  -- reopened: the approval withdrawn, nothing else touched
        END IF;
        RAISE EXCEPTION 'provider_orders: an approved cost cannot change (order cost %)', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION public.provider_orders_order_cost_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'cost_approved' AND NOT (
        NEW.status = 'cost_reported' AND NEW.cost_amount IS NOT DISTINCT FROM OLD.cost_amount
    ) AND (
        NEW.status IS DISTINCT FROM OLD.status OR NEW.cost_amount IS DISTINCT FROM OLD.cost_amount
    ) THEN
        RAISE EXCEPTION 'provider_orders: the approved cost of order % cannot change', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
"""

PREVIOUS = r"""
CREATE OR REPLACE FUNCTION public.provider_orders_cost_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.approved_at IS NOT NULL THEN
        RAISE EXCEPTION 'provider_orders: an approved cost cannot change (order cost %)', OLD.id
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


class Migration(migrations.Migration):
    dependencies = [("provider_orders", "0003_order_withdrawn")]

    operations = [migrations.RunSQL(FUNCTIONS, PREVIOUS)]
