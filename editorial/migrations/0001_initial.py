"""The model moves here from news/ with its table and rows: only Django's
record of it changes (news/0004 lets go of it)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor, old, new, model):
    """Permissions, admin log entries and anything else that names the
    model by content type keep pointing at it."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    database = schema_editor.connection.alias
    ContentType.objects.using(database).filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    move_content_type(apps, schema_editor, "news", "editorial", "editorialnotification")


def backwards(apps, schema_editor):
    move_content_type(apps, schema_editor, "editorial", "news", "editorialnotification")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('news', '0004_move_comments_and_notifications_out'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
        state_operations=[migrations.CreateModel(
            name='EditorialNotification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event', models.CharField(choices=[('submitted', 'Submitted for review'), ('approved', 'Approved'), ('changes_requested', 'Changes requested'), ('published', 'Published'), ('comment_approved', 'Reader comment approved')], max_length=30)),
                ('event_key', models.CharField(max_length=100)),
                ('channel', models.CharField(choices=[('email', 'Email'), ('webhook', 'Newsroom webhook')], max_length=10)),
                ('target', models.CharField(help_text='Email address or webhook URL.', max_length=500)),
                ('page_title', models.CharField(max_length=255)),
                ('subject', models.CharField(max_length=255)),
                ('message', models.TextField(blank=True)),
                ('actor', models.CharField(blank=True, help_text='Who caused the event.', max_length=150)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('sending', 'Sending'), ('retrying', 'Retrying'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=10)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('last_error', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('page', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.WAGTAIL_PAGE_MODEL)),
                ('recipient', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'editorial notification',
                'db_table': 'news_editorialnotification',
                'ordering': ['-created_at', '-pk'],
                'indexes': [models.Index(fields=['status', 'updated_at'], name='news_editor_status_478a06_idx')],
                'constraints': [models.UniqueConstraint(fields=('event_key', 'channel', 'target'), name='one_notification_per_event_target')],
            },
        )],
        database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
