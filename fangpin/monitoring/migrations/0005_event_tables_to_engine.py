from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0004_provisional_deadlines"),
    ]

    # The event, notification and SMS tables now belong to the engine app (fangpin.engine.models)
    # under their old table names: the state moves, the database is untouched.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="notification",
                    name="event",
                ),
                migrations.RemoveField(
                    model_name="smsoutbox",
                    name="event",
                ),
                migrations.RemoveField(
                    model_name="notification",
                    name="user",
                ),
                migrations.DeleteModel(
                    name="CaseEvent",
                ),
                migrations.DeleteModel(
                    name="SmsOutbox",
                ),
                migrations.DeleteModel(
                    name="Notification",
                ),
            ],
            database_operations=[],
        ),
    ]
