"""Photo uploads: checked by their first bytes (a renamed PDF is not a photo), never trusting the
browser's content type or the file name; saved only when the whole case is valid."""

import uuid

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

MAX_PHOTOS = 6
MAX_BYTES = 10 * 1024 * 1024

STORAGE_FAILED = "照片未能保存（服务器存储空间不足或不可写），诉求未提交。请稍后再试，或先不附照片提交。"

_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}


def sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def check(files) -> list[tuple[object, str]]:
    """Each upload with its real content type; raises ValidationError({"photos": [...]}) otherwise."""
    files = list(files or [])
    errors = []
    if len(files) > MAX_PHOTOS:
        errors.append(f"最多上传 {MAX_PHOTOS} 张照片，当前为 {len(files)} 张。")
    checked = []
    for upload in files:
        name = getattr(upload, "name", "") or "照片"
        size = getattr(upload, "size", None)
        if size is None or size > MAX_BYTES:
            errors.append(f"“{name}”超过 10 MB，请压缩后再上传。")
            continue
        upload.seek(0)
        kind = sniff(upload.read(16))
        upload.seek(0)
        if size == 0 or kind is None:
            errors.append(f"“{name}”不是图片（仅支持 JPEG、PNG、WebP、GIF）。")
            continue
        checked.append((upload, kind))
    if errors:
        raise ValidationError({"photos": errors})
    return checked


def store(upload, kind: str, stage: str) -> str:
    """Save under a random name (the client's name can carry paths or personal data)."""
    from linli.core import clock

    name = f"cases/{clock.now():%Y/%m}/{stage}-{uuid.uuid4().hex}.{_EXTENSIONS[kind]}"
    upload.seek(0)
    try:
        return default_storage.save(name, upload)
    except OSError as exc:
        # A full or read-only disk: remove whatever part of the file was written (the caller never
        # learns this name, so it could not), and answer with a form error instead of a bare 500.
        discard([name])
        raise ValidationError({"photos": [STORAGE_FAILED]}) from exc


def discard(names) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            pass
