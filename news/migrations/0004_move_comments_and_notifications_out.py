"""Reader comments move to comments/ and editorial notifications to
editorial/. Only Django's record of the models moves: the tables keep their
names and every row (comments/0001, editorial/0001 take the models over)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("news", "0003_reader_comments"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="readercomment", name="page"),
                migrations.RemoveField(model_name="readercomment", name="parent"),
                migrations.DeleteModel(name="EditorialNotification"),
                migrations.DeleteModel(name="ReaderComment"),
            ],
            database_operations=[],
        ),
    ]
