from celery import shared_task


@shared_task(
    name="search.tasks.sync_reader_index",
    bind=True,
    ignore_result=True,
    max_retries=30,
    retry_backoff=5,
    retry_backoff_max=600,
)
def sync_reader_index(self, page_id):
    """Bring one story's entry in the reader index in line with the database.

    Runs after publish, unpublish, move and delete. While Elasticsearch is
    unreachable it retries with backoff (up to about four hours), so no
    update is lost; `manage.py rebuild_reader_index` repairs anything older.
    """
    from search.elasticsearch import get_client, sync_article

    client = get_client()
    try:
        sync_article(page_id, client)
    except client.unavailable as exc:
        raise self.retry(exc=exc, countdown=min(600, 5 * 2**self.request.retries))
