"""Residents' photos: a huge declared size is refused before decoding; location and camera data are removed."""

import io
import json
import struct
import zlib

import pytest
from PIL import ExifTags, Image
from PIL.PngImagePlugin import PngInfo

from linli.cases.models import Case
from linli.cases.tests.conftest import jpeg, media_files


def _exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "LinliPhone"
    exif[ExifTags.Base.Orientation] = 6  # turned: the stored pixels must be rotated upright
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (37.0, 48.0, 44.28)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (112.0, 33.0, 36.36)
    return exif


def _photo_with_location(fmt: str) -> bytes:
    out = io.BytesIO()
    options = {"exif": _exif_with_gps()}
    if fmt == "PNG":
        info = PngInfo()
        info.add_text("Comment", "家住康宁小区1号楼")
        options["pnginfo"] = info
    Image.new("RGB", (40, 20), (10, 120, 10)).save(out, format=fmt, **options)
    data = out.getvalue()
    # (the file really carries the location before upload)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return data


def _declared_png(width: int, height: int) -> bytes:
    """A small PNG file whose header declares a huge image (the pixel data would never fit)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def _file(client, world, *uploads):
    return client.post("/api/v1/cases", {"category": "facilities", "description": "路灯坏了",
                                         "compound": world.compound1.pk, "photos": list(uploads)})


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "gps.jpg"), ("PNG", "gps.png")])
def test_location_and_camera_data_are_removed_and_the_photo_kept_upright(client_for, world, frozen, media, fmt,
                                                                         name):
    # given a phone photo carrying its GPS position, its camera and an orientation
    data = _photo_with_location(fmt)
    # when a resident files it
    response = _file(client_for("resident"), world, jpeg(name, data))
    # then it is stored without any EXIF or text metadata, turned upright
    assert response.status_code == 201, response.content
    (stored,) = media_files(media)
    with Image.open(stored) as image:
        assert not image.getexif() and "Comment" not in image.info and "exif" not in image.info
        assert image.size == (20, 40)
    assert b"LinliPhone" not in stored.read_bytes()


@pytest.mark.parametrize(("width", "height", "said"), [(50_000, 50_000, ""), (10_000, 5_000, "10000 × 5000 像素")])
def test_a_huge_declared_size_is_refused_and_nothing_written(client_for, world, frozen, media, counts, width,
                                                             height, said):
    # given a small file that declares a huge image (over Pillow's bomb limit, or only over ours)
    before = counts()
    # when a resident files it
    response = _file(client_for("resident"), world, jpeg("huge.png", _declared_png(width, height)))
    # then it is refused with a sentence, and neither the case nor a file is written
    assert response.status_code == 400
    message = json.dumps(response.json()["errors"]["photos"], ensure_ascii=False)
    assert "尺寸过大" in message and said in message
    assert counts() == before and not media_files(media) and not Case.objects.exists()


def test_a_file_that_only_starts_like_a_photo_is_refused(client_for, world, frozen, media, counts):
    before = counts()
    response = _file(client_for("resident"), world, jpeg("fake.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 300))
    assert response.status_code == 400 and "无法识别" in response.json()["errors"]["photos"][0]
    assert counts() == before and not media_files(media)

