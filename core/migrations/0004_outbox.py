"""The notification table becomes the outbox: template and context, an idempotency key per event
and recipient, a lease for claiming rows, retry times, the gateway's id and delivery receipt."""

import django.utils.timezone
from django.db import migrations, models


def forward(apps, schema_editor):
    Notification = apps.get_model("core", "Notification")
    Notification.objects.filter(status="pending").update(status="queued")
    for row in Notification.objects.filter(key__isnull=True).only("pk"):
        Notification.objects.filter(pk=row.pk).update(key=f"legacy:{row.pk}")


def backward(apps, schema_editor):
    Notification = apps.get_model("core", "Notification")
    Notification.objects.filter(status="queued").update(status="pending")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_notification")]

    operations = [
        migrations.RemoveIndex(model_name="notification", name="core_notification_pending_idx"),
        migrations.RenameField(model_name="notification", old_name="dedupe_key", new_name="key"),
        migrations.AlterField(
            model_name="notification",
            name="key",
            field=models.CharField(blank=True, max_length=255, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="notification",
            name="status",
            field=models.CharField(
                choices=[("queued", "待发送"), ("sent", "已发送"), ("failed", "发送失败")],
                default="queued",
                max_length=10,
                verbose_name="状态",
            ),
        ),
        migrations.RunPython(forward, backward),
        migrations.AlterField(
            model_name="notification", name="key", field=models.CharField(max_length=255, unique=True)
        ),
        migrations.AddField(
            model_name="notification",
            name="task_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="接待任务"),
        ),
        migrations.AddField(
            model_name="notification",
            name="template",
            field=models.CharField(default="generic", max_length=50, verbose_name="消息模板"),
        ),
        migrations.AddField(
            model_name="notification",
            name="context",
            field=models.JSONField(blank=True, default=dict, verbose_name="模板参数"),
        ),
        migrations.AddField(
            model_name="notification", name="html", field=models.TextField(blank=True, verbose_name="HTML 内容")
        ),
        migrations.AddField(
            model_name="notification",
            name="error_code",
            field=models.CharField(blank=True, max_length=100, verbose_name="错误代码"),
        ),
        migrations.AddField(
            model_name="notification",
            name="next_attempt_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="notification", name="lease_until", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddField(model_name="notification", name="claim", field=models.UUIDField(blank=True, null=True)),
        migrations.AddField(
            model_name="notification", name="dispatched_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="notification",
            name="gateway",
            field=models.CharField(blank=True, max_length=30, verbose_name="通道"),
        ),
        migrations.AddField(
            model_name="notification",
            name="gateway_message_id",
            field=models.CharField(blank=True, db_index=True, max_length=100),
        ),
        migrations.AddField(
            model_name="notification",
            name="receipt",
            field=models.CharField(
                blank=True,
                choices=[("", "无回执"), ("delivered", "已送达"), ("undelivered", "未送达")],
                default="",
                max_length=12,
                verbose_name="回执",
            ),
        ),
        migrations.AddField(
            model_name="notification", name="receipt_code", field=models.CharField(blank=True, max_length=100)
        ),
        migrations.AddField(
            model_name="notification", name="receipt_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AlterModelOptions(
            name="notification", options={"verbose_name": "消息", "verbose_name_plural": "发件箱"}
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("status", "queued")), fields=["next_attempt_at"], name="core_outbox_due_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["jurisdiction_code", "-created_at"], name="core_outbox_jurisdiction_idx"),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                fields=["jurisdiction_code", "task_id", "-created_at"], name="core_outbox_task_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["queued", "sent", "failed"])), name="core_outbox_status"
            ),
        ),
    ]
