"""The story's standfirst is `standfirst` everywhere: code, editor, API and
docs (the column was `dek`). A rename: every row keeps its text. After it
runs, the search server's reader index is rebuilt (`rebuild_reader_index`)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("news", "0004_move_comments_and_notifications_out"),
        # Its trigram index on the column is created first, and follows the rename.
        ("search", "0004_pending_index_updates"),
    ]

    operations = [
        migrations.RenameField(model_name="articlepage", old_name="dek", new_name="standfirst"),
    ]
