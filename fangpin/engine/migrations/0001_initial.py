import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('monitoring', '0005_event_tables_to_engine'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The tables exist already (created by monitoring 0001 under these names): state only.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.CreateModel(
            name='CaseEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('case_kind', models.CharField(max_length=16, verbose_name='对象')),
                ('case_id', models.BigIntegerField(verbose_name='对象ID')),
                ('village_code', models.CharField(db_index=True, max_length=12, verbose_name='村区划代码')),
                ('action', models.CharField(max_length=32, verbose_name='操作')),
                ('from_state', models.CharField(blank=True, max_length=20, verbose_name='原状态')),
                ('to_state', models.CharField(blank=True, max_length=20, verbose_name='新状态')),
                ('reason', models.TextField(blank=True, verbose_name='理由')),
                ('payload', models.JSONField(blank=True, default=dict)),
                ('actor_name', models.CharField(blank=True, max_length=150, verbose_name='操作人')),
                ('channel', models.CharField(blank=True, max_length=10, verbose_name='途径')),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='时间')),
                ('dispatched_at', models.DateTimeField(blank=True, null=True)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('household', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.household', verbose_name='农户')),
            ],
            options={
                'verbose_name': '办理记录',
                'verbose_name_plural': '办理记录',
                'db_table': 'monitoring_caseevent',
                'ordering': ['at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Notification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('village_code', models.CharField(blank=True, max_length=12)),
                ('title', models.CharField(max_length=200, verbose_name='标题')),
                ('body', models.TextField(blank=True, verbose_name='内容')),
                ('url', models.CharField(blank=True, max_length=200)),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='已读时间')),
                ('dedupe_key', models.CharField(blank=True, max_length=80, null=True)),
                ('event', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='engine.caseevent')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '站内通知',
                'verbose_name_plural': '站内通知',
                'db_table': 'monitoring_notification',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='SmsOutbox',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('village_code', models.CharField(blank=True, max_length=12)),
                ('phone', models.CharField(max_length=20, verbose_name='手机号')),
                ('body', models.CharField(max_length=300, verbose_name='内容')),
                ('status', models.CharField(choices=[('pending', '待发送'), ('sent', '已发送'), ('failed', '发送失败')], default='pending', max_length=10, verbose_name='状态')),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('event', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='engine.caseevent')),
            ],
            options={
                'verbose_name': '短信发件箱',
                'verbose_name_plural': '短信发件箱',
                'db_table': 'monitoring_smsoutbox',
                'ordering': ['id'],
            },
        ),
        migrations.AddIndex(
            model_name='caseevent',
            index=models.Index(fields=['case_kind', 'case_id', 'at'], name='monitoring__case_ki_5e3d78_idx'),
        ),
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(fields=['user', 'read_at'], name='monitoring__user_id_3123de_idx'),
        ),
        migrations.AddConstraint(
            model_name='notification',
            constraint=models.UniqueConstraint(fields=('user', 'dedupe_key'), name='notification_unique_dedupe'),
        ),
    ],
            database_operations=[],
        ),
    ]
