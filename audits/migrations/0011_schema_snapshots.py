import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Snapshots move out of each run into rows shared by content (0012 copies them, 0013
    drops the old columns: a data copy and a DROP COLUMN in one transaction would trip over
    the deferred foreign-key checks the copy queued)."""

    dependencies = [
        ('audits', '0010_catastrophe_watch'),
    ]

    operations = [
        migrations.CreateModel(
            name='SchemaSnapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('digest', models.CharField(max_length=64, unique=True)),
                ('dialect', models.CharField(max_length=20)),
                ('schema_json', models.TextField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name': 'schema snapshot',
            },
        ),
        migrations.RenameField(model_name='auditrun', old_name='expected_snapshot',
                               new_name='expected_snapshot_data'),
        migrations.RenameField(model_name='auditrun', old_name='snapshot',
                               new_name='live_snapshot_data'),
        migrations.AddField(
            model_name='auditrun',
            name='expected_snapshot',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='audits.schemasnapshot'),
        ),
        migrations.AddField(
            model_name='auditrun',
            name='result_digest',
            field=models.CharField(blank=True, default='', editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='auditrun',
            name='live_snapshot',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='audits.schemasnapshot'),
        ),
    ]
