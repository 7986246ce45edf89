from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('audits', '0012_copy_run_snapshots'),
    ]

    operations = [
        migrations.RemoveField(model_name='auditrun', name='expected_snapshot_data'),
        migrations.RemoveField(model_name='auditrun', name='live_snapshot_data'),
    ]
