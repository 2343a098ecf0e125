"""`asa backup` and `asa restore`: one archive, checked before and after a restore."""

import contextlib
import io
import json
import os
import shutil
import tarfile
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from asa.accounts.models import User
from asa.lib.backup import Target, table_counts, verify_archive

pytestmark = pytest.mark.django_db(transaction=True)  # a backup reads committed data


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = settings.MEDIA_ROOT / "visits" / "2569" / "photo.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8\xff\xe0 a visit photo \xff\xd9")
    return settings.MEDIA_ROOT


def _backup(path) -> str:
    out = io.StringIO()
    call_command("backup", output=str(path), stdout=out)
    return out.getvalue()


def _restore(*args, **options) -> str:
    out = io.StringIO()
    call_command("restore", *args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def scratch_database():
    """A second, empty database of the same engine as the suite's, dropped afterwards."""
    target = Target.default()
    if target.engine == "sqlite":
        path = target.name + f".restore-{uuid.uuid4().hex[:8]}"
        yield f"sqlite:///{path}", Target(engine="sqlite", name=path)
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(path + suffix)
        return
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore are not installed")
    name = f"{target.name}_restore_{uuid.uuid4().hex[:8]}"
    admin = target.connect_postgres()
    admin.autocommit = True
    admin.execute(f'CREATE DATABASE "{name}"')
    scratch = Target(
        engine="postgresql",
        name=name,
        user=target.user,
        password=target.password,
        host=target.host,
        port=target.port,
    )
    user = f"{target.user}@" if target.user else ""
    host = target.host or "localhost"
    port = f":{target.port}" if target.port else ""
    yield f"postgres://{user}{host}{port}/{name}", scratch
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_it_backs_up_and_restores_into_an_empty_database(
    tmp_path, media, chair_a, officer, scratch_database
):
    url, scratch = scratch_database
    archive = tmp_path / "asa.tar.gz"
    printed = _backup(archive)
    assert "verified" in printed and str(archive) in printed
    assert oct(archive.stat().st_mode & 0o777) == "0o600"  # personal data: owner only

    manifest = verify_archive(archive)
    assert manifest["engine"] == Target.default().engine
    assert manifest["tables"]["accounts_user"] == User.objects.count() >= 2
    assert manifest["tables"]["geo_province"] == 77
    assert list(manifest["media"]) == ["visits/2569/photo.jpg"]

    # The uploads come back too: lose them first.
    shutil.rmtree(media)
    printed = _restore(str(archive), database_url=url)
    assert "Verified" in printed
    restored = table_counts(scratch)
    for table, count in manifest["tables"].items():
        assert restored[table] == count, table
    assert (media / "visits" / "2569" / "photo.jpg").read_bytes().startswith(b"\xff\xd8")


def test_it_refuses_to_overwrite_a_database_in_use(tmp_path, media, chair_a):
    archive = tmp_path / "asa.tar.gz"
    _backup(archive)
    with pytest.raises(CommandError, match="already holds user accounts"):
        _restore(str(archive))
    assert User.objects.filter(username="chair.a").exists()


def test_force_replaces_the_database_and_the_counts_match(tmp_path, media, chair_a):
    archive = tmp_path / "asa.tar.gz"
    _backup(archive)
    User.objects.create(username="made.after.the.backup")
    printed = _restore(str(archive), force=True)
    assert "Verified" in printed
    connection.close()
    assert not User.objects.filter(username="made.after.the.backup").exists()
    assert User.objects.filter(username="chair.a").exists()


def _tamper(archive, tmp_path, name: str, data: bytes):
    """A copy of the archive with one member's content replaced (the manifest unchanged)."""
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            content = source.extractfile(member).read()
            if member.name == name:
                content = data
            member.size = len(content)
            target.addfile(member, io.BytesIO(content))
    return tampered


def test_it_refuses_a_damaged_archive(tmp_path, media, chair_a):
    archive = tmp_path / "asa.tar.gz"
    _backup(archive)
    bad_photo = _tamper(archive, tmp_path, "media/visits/2569/photo.jpg", b"changed")
    with pytest.raises(CommandError, match="checksum"):
        _restore(str(bad_photo), check=True)
    with tarfile.open(archive) as opened:
        manifest = json.loads(opened.extractfile("manifest.json").read())
    bad_database = _tamper(archive, tmp_path, manifest["database"]["file"], b"not a database")
    with pytest.raises(CommandError, match="checksum"):
        _restore(str(bad_database), force=True)
    assert User.objects.filter(username="chair.a").exists()  # nothing was touched


def test_it_checks_an_archive_without_restoring(tmp_path, media, chair_a):
    archive = tmp_path / "asa.tar.gz"
    _backup(archive)
    assert "Archive OK" in _restore(str(archive), check=True)


def test_it_refuses_an_archive_with_paths_outside(tmp_path, db):
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as archive:
        info = tarfile.TarInfo("../../etc/cron.d/evil")
        info.size = 4
        archive.addfile(info, io.BytesIO(b"evil"))
    with pytest.raises(CommandError, match="unexpected entry"):
        _restore(str(evil), check=True)
