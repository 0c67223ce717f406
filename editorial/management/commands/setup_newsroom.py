from django.core.management.base import BaseCommand

from editorial.newsroom import setup_newsroom


class Command(BaseCommand):
    help = "Create or update the newsroom's groups (Writers, Copy editors, Editors) and the review workflow."

    def handle(self, *args, **options):
        groups, workflow = setup_newsroom()
        self.stdout.write(f"Groups: {', '.join(groups)}. Workflow: {workflow.name}.")
