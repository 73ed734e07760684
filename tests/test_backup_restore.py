"""scripts/backup_restore.sh against a small generated PostgreSQL database with uploaded files."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "backup_restore.sh"
TINY = {"streets": 1, "communities_per_street": 1, "compounds_per_community": 3, "grids_per_community": 2,
        "property_companies": 3,
        "planned": {"buildings": [1, 1], "entrances": [1, 1], "floors": [3, 3]},
        "old_courtyard": {"buildings": [1, 1], "entrances": [1, 1], "floors": [3, 3]},
        "scattered": {"buildings": [1, 1], "entrances": [1, 1], "floors": [2, 2]}}

pytestmark = pytest.mark.postgres


@pytest.fixture
def source(tmp_path):
    """A committed database of its own (the dump runs in another process), dropped afterwards."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("backups are PostgreSQL dumps")
    user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    name = f"linli_backup_test_{os.getpid()}"
    admin = {"host": host, "port": port, "user": user, "password": db["PASSWORD"] or None, "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    url = f"postgres://{user}{password}@{host}:{port}/{name}"
    media = tmp_path / "media"
    (media / "cases").mkdir(parents=True)
    (media / "cases" / "photo.jpg").write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 40)
    (media / "property").mkdir()
    (media / "property" / "invoice.pdf").write_bytes(b"%PDF-1.4 made up for the test\n")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "linli.settings",
           "SECRET_KEY": settings.SECRET_KEY, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1",
           "LINLI_MEDIA_ROOT": str(media), "BACKUP_DIR": str(tmp_path / "backup"), "LOG_LEVEL": "WARNING"}
    env["LINLI_DATA_KEY"] = os.environ["LINLI_DATA_KEY"]
    linli = [sys.executable, "-m", "linli"]
    try:
        subprocess.run([*linli, "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True)
        subprocess.run([*linli, "generate-city", "--shape-json", json.dumps(TINY), "--cases", "300"],
                       env=env, cwd=ROOT, check=True, capture_output=True)
        yield env
    finally:
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_restores_every_row_and_file(source, tmp_path):
    # when the backup is taken and restored into a fresh database
    done = subprocess.run(["bash", str(SCRIPT)], env=source, cwd=ROOT, capture_output=True, text=True, timeout=120)
    # then every table and the media folder compare equal
    assert done.returncode == 0, done.stdout + done.stderr
    lines = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines() if line.startswith("public.")}
    assert lines["public.cases_case"] == ["300", "300"]
    assert int(lines["public.people_resident"][0]) > 0
    assert "media files" in done.stdout and "0 differ" in done.stdout
    assert (tmp_path / "backup" / "linli.dump").stat().st_size > 0
    restored = tmp_path / "backup" / "media-restored"
    assert (restored / "cases" / "photo.jpg").read_bytes() == (
        Path(source["LINLI_MEDIA_ROOT"]) / "cases" / "photo.jpg").read_bytes()
    # and the restored database is dropped again
    with psycopg.connect(source["DATABASE_URL"]) as conn:
        left = conn.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s",
                            [f"linli_backup_test_{os.getpid()}_restore_%"]).fetchone()[0]
    assert left == 0


def test_refuses_without_a_postgres_url(tmp_path):
    # when
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30)
    # then
    assert done.returncode == 2 and "DATABASE_URL" in done.stderr
