"""Uploads through S3-compatible storage, against moto's S3 emulator running in-process."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import boto3
import pytest
from django.core.files.storage import storages

from peerdiag.documents.domain.requests import request_document
from peerdiag.documents.domain.uploads import supply_document

from .helpers import PDF, upload

BUCKET = "peerdiag-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def s3(monkeypatch) -> Iterator[str]:  # type: ignore[no-untyped-def]
    from moto.server import ThreadedMotoServer

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.mark.django_db
def test_a_supplied_document_lands_in_the_s3_bucket(world, settings, s3):  # type: ignore[no-untyped-def]
    client = boto3.client("s3", endpoint_url=s3, region_name="eu-west-2")
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3,
                "region_name": "eu-west-2",
                "access_key": "testing",
                "secret_key": "testing",
                "file_overwrite": False,
            },
        },
    }
    storages._storages.pop("default", None)  # forget the cached local storage
    try:
        ask = request_document(world.own, by=world.pcm, title="Plan")
        version = supply_document(
            ask, by=world.organiser, file=upload(PDF, "plan.pdf"), name="plan.pdf"
        )
        body = client.get_object(Bucket=BUCKET, Key=version.file.name)["Body"].read()
        assert body == PDF
        assert version.file.name.startswith("documents/RPD-2027-001/")
        with version.file.open("rb") as f:  # and read back through Django's storage API
            assert f.read() == PDF
    finally:
        storages._storages.pop("default", None)
