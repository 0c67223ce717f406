"""Media on S3-compatible object storage, so several web nodes share one store.

The object store is moto's S3 server, started on a local port by the test.
"""

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.factories import ImageFactory
from tests.support.processes import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def test_uploaded_images_and_renditions_land_in_the_bucket(settings, s3_endpoint):
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, **credentials)
    s3.create_bucket(Bucket="talkies-media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "talkies-media",
                "endpoint_url": s3_endpoint,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "querystring_auth": False,
                "file_overwrite": False,
            },
        },
    }

    image = ImageFactory(title="Key art")
    rendition = image.get_rendition("fill-400x225|format-webp")

    keys = {obj["Key"] for obj in s3.list_objects_v2(Bucket="talkies-media")["Contents"]}
    assert image.file.name in keys
    assert rendition.file.name in keys
    assert rendition.url.startswith(f"{s3_endpoint}/talkies-media/")
    body = s3.get_object(Bucket="talkies-media", Key=rendition.file.name)["Body"].read()
    assert body[:4] == b"RIFF" and body[8:12] == b"WEBP"
