"""Choosing where uploads are stored (local folder or S3) through the settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


# --- Choosing S3 through the settings ------------------------------------------------------


def _settings_in_subprocess(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PEERDIAG_S3_", "AWS_"))}
    clean.pop("PEERDIAG_STORAGE", None)
    clean.update(env)
    code = (
        "import json, peerdiag.settings as s; "
        "print(json.dumps({'default': s.STORAGES['default'], 'kind': s.STORAGE_KIND}))"
    )
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [sys.executable, "-c", code],
        env=clean,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_s3_is_chosen_with_its_bucket_and_endpoint():
    import json

    done = _settings_in_subprocess(
        PEERDIAG_STORAGE="S3",
        PEERDIAG_S3_BUCKET="peerdiag-files",
        PEERDIAG_S3_ENDPOINT_URL="https://objects.example.org",
        PEERDIAG_S3_REGION="eu-west-2",
        AWS_ACCESS_KEY_ID="id",
        AWS_SECRET_ACCESS_KEY="secret",
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["kind"] == "s3"
    default = found["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "peerdiag-files"
    assert options["endpoint_url"] == "https://objects.example.org"
    assert options["region_name"] == "eu-west-2"
    assert (options["access_key"], options["secret_key"]) == ("id", "secret")
    assert options["default_acl"] is None
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False


def test_local_storage_is_the_default():
    import json

    done = _settings_in_subprocess()
    assert done.returncode == 0, done.stderr
    default = json.loads(done.stdout)["default"]
    assert default == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PEERDIAG_STORAGE": "dropbox"}, "PEERDIAG_STORAGE must be local or s3, not 'dropbox'"),
        ({"PEERDIAG_STORAGE": "s3"}, "PEERDIAG_S3_BUCKET must be set"),
        (
            {
                "PEERDIAG_STORAGE": "s3",
                "PEERDIAG_S3_BUCKET": "b",
                "PEERDIAG_S3_ENDPOINT_URL": "objects.example.org",
            },
            "PEERDIAG_S3_ENDPOINT_URL must start with http:// or https://",
        ),
    ],
)
def test_a_bad_storage_setting_stops_start_up_naming_the_key(env, message):  # type: ignore[no-untyped-def]
    done = _settings_in_subprocess(**env)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert message in done.stderr
