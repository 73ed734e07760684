"""Photo uploads: checked by their first bytes (a renamed PDF is not a photo), never trusting the
browser's content type or the file name; then opened with Pillow, refused above MAX_PIXELS, and
re-encoded so EXIF (a phone photo's GPS position, its camera and time) and other metadata are not
kept; saved only when the whole case is valid."""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

MAX_PHOTOS = 6
MAX_BYTES = 10 * 1024 * 1024
# A 10 MB file can declare a 50,000 × 50,000 image that takes 10 GB to decode. 40 MP is above what
# phone cameras save by default.
MAX_PIXELS = 40_000_000

_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}

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
        try:
            checked.append((_reencoded(upload, kind), kind))
        except (_TooLarge, Image.DecompressionBombError) as exc:
            declared = f"（{exc}）" if isinstance(exc, _TooLarge) else ""
            errors.append(f"“{name}”尺寸过大{declared}，请缩小到 4000 万像素以内再上传。")
        except Exception:  # noqa: BLE001 - a crafted file can make a decoder raise almost anything
            errors.append(f"“{name}”已损坏或无法识别，请重新拍摄或换一张照片。")
    if errors:
        raise ValidationError({"photos": errors})
    return checked


class _TooLarge(Exception):
    pass


def _reencoded(upload, kind: str) -> ContentFile:
    """The photo decoded and written again without its metadata, oriented as the camera meant."""
    upload.seek(0)
    # Pillow refuses at open what is far over its own bomb limit; our lower limit is checked on the
    # header alone, before anything is decoded (an animation counts every frame).
    with Image.open(upload, formats=[_FORMATS[kind]]) as image:
        width, height = image.size
        frames = getattr(image, "n_frames", 1)
        if width * height * frames > MAX_PIXELS:
            raise _TooLarge(f"{width} × {height} 像素" + (f" × {frames} 帧" if frames > 1 else ""))
        image.seek(0)
        image.load()
        out = io.BytesIO()
        if frames > 1:
            image.save(out, format=_FORMATS[kind], save_all=True)
        else:
            # The EXIF orientation goes with the EXIF block, so turn the pixels first.
            upright = ImageOps.exif_transpose(image)
            if kind == "image/jpeg" and upright.mode not in ("RGB", "L", "CMYK"):
                upright = upright.convert("RGB")
            options = {"quality": 90} if kind in ("image/jpeg", "image/webp") else {}
            upright.save(out, format=_FORMATS[kind], **options)
    upload.seek(0)
    return ContentFile(out.getvalue(), name=getattr(upload, "name", "") or "photo")


def store(upload, kind: str, stage: str, *, folder: str = "") -> str:
    """Save under a random name (the client's name can carry paths or personal data).

    `folder` defaults to the month's; photos kept for a filing not yet made go to their own folder,
    which the sweep empties (see `pending.py`)."""
    from linli.core import clock

    name = f"{folder or f'cases/{clock.now():%Y/%m}'}/{stage}-{uuid.uuid4().hex}.{_EXTENSIONS[kind]}"
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
