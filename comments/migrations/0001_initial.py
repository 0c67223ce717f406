"""The model moves here from news/ with its table and rows: only Django's
record of it changes (news/0004 lets go of it)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def move_content_type(apps, schema_editor, old, new, model):
    """Permissions, admin log entries and anything else that names the
    model by content type keep pointing at it."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    database = schema_editor.connection.alias
    ContentType.objects.using(database).filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    move_content_type(apps, schema_editor, "news", "comments", "readercomment")


def backwards(apps, schema_editor):
    move_content_type(apps, schema_editor, "comments", "news", "readercomment")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('news', '0004_move_comments_and_notifications_out'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
        state_operations=[migrations.CreateModel(
            name='ReaderComment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=80)),
                ('email', models.EmailField(help_text='Never shown to readers.', max_length=254)),
                ('body', models.TextField(max_length=5000, verbose_name='comment')),
                ('status', models.CharField(choices=[('pending', 'Awaiting moderation'), ('approved', 'Approved'), ('spam', 'Spam')], db_index=True, default='pending', max_length=10)),
                ('spam_reason', models.CharField(blank=True, max_length=200)),
                ('user_ip', models.GenericIPAddressField(blank=True, null=True)),
                ('user_agent', models.CharField(blank=True, max_length=300)),
                ('spam_checked_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('approved_at', models.DateTimeField(blank=True, null=True)),
                ('page', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reader_comments', to='news.articlepage')),
                ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='replies', to='comments.readercomment', verbose_name='reply to')),
            ],
            options={
                'verbose_name': 'reader comment',
                'db_table': 'news_readercomment',
                'ordering': ['-created_at'],
                'permissions': [('moderate_readercomment', 'Can moderate reader comments')],
                'indexes': [models.Index(fields=['page', 'status', 'created_at'], name='news_reader_page_id_3ece98_idx')],
            },
        )],
        database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
