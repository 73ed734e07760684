"""What a resident entered, kept while the duplicate check asks them whether it is the same matter.

Their photos were already uploaded once: they are checked and stored here, in a folder of their own,
and named in a signed note (the "kept" token) that belongs to that user and expires by the one clock.
The page carries the note; answering "mine is different" files the case with those photos, "the same
thing" follows the other case and drops them. The note also holds a key used as the filing's client
key, so the same note sent twice (a double tap, the back button) files the case once.

Photos never used are removed by `sweep()`, which `linli sla-sweep` runs every minute: each file's name
begins with the moment it expires, so the sweep needs no table and no file dates.
"""

import datetime as dt
import uuid
from dataclasses import dataclass, replace

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from linli.cases import photos, services
from linli.core import clock
from linli.core.errors import Refused

SALT = "linli.cases.kept-filing"
KEEP_MINUTES = 60
FOLDER = "cases/pending"
# A note checked just before it expires may still be reading its files: the sweep waits this long more.
SWEEP_GRACE = dt.timedelta(minutes=15)

KEPT_INVALID = "这份保留的诉求不是您本人刚才填写的，或已被改动，诉求未提交。请重新填写并选择照片后提交。"
KEPT_EXPIRED = f"保留的内容已超过 {KEEP_MINUTES} 分钟，照片已清除，诉求未提交。请重新选择照片后提交。"
KEPT_FILED = "这份保留的诉求已经提交过，本次修改未提交。请到“我的诉求”查看，需要补充可再反映一件新诉求。"
KEPT_GONE = "保留的照片已不在（已提交过或已清除），诉求未提交。请到“我的诉求”查看，或重新选择照片后提交。"


@dataclass(frozen=True)
class KeptPhoto:
    name: str  # in the storage, under FOLDER
    kind: str  # the content type photos.check found
    size: int


@dataclass(frozen=True)
class Kept:
    token: str
    key: str
    photos: tuple[KeptPhoto, ...]
    until: int  # seconds since the epoch, by the one clock


def _seal(actor, key: str, kept: tuple[KeptPhoto, ...], until: int) -> Kept:
    note = {"u": actor.pk, "k": key, "t": until, "p": [[p.name, p.kind, p.size] for p in kept]}
    return Kept(signing.dumps(note, salt=SALT, compress=True), key, kept, until)


def unseal(*, actor, token: str) -> Kept:
    """The note as this user was given it; Refused if it is another's, altered, or out of time."""
    try:
        note = signing.loads(token or "", salt=SALT)
        user, key, until = note["u"], str(note["k"]), int(note["t"])
        kept = tuple(KeptPhoto(str(name), str(kind), int(size)) for name, kind, size in note["p"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Refused("kept_invalid", KEPT_INVALID, field="kept") from None
    if user != getattr(actor, "pk", None):
        raise Refused("kept_invalid", KEPT_INVALID, field="kept")
    if until < clock.now().timestamp():
        raise Refused("kept_expired", KEPT_EXPIRED, field="kept")
    return Kept(token, key, kept, until)


def keep(*, actor, photo_files=(), token: str = "") -> Kept:
    """Check and store the new uploads beside those an earlier note kept; a new note names them all.

    Raises ValidationError({"photos": …}) for a photo that is not one (nothing new is stored), and
    Refused for an earlier note that is not this user's or is out of time.
    """
    earlier = unseal(actor=actor, token=token) if token else None
    checked = photos.check(photo_files)
    already = earlier.photos if earlier else ()
    if len(already) + len(checked) > photos.MAX_PHOTOS:
        raise ValidationError({"photos": [
            f"最多 {photos.MAX_PHOTOS} 张照片：已保留 {len(already)} 张，本次又选了 {len(checked)} 张。"]})
    # A later round keeps the first round's end: the files already stored carry it in their names.
    until = earlier.until if earlier else int((clock.now() + dt.timedelta(minutes=KEEP_MINUTES)).timestamp())
    stored: list[KeptPhoto] = []
    try:
        for upload, kind in checked:
            name = photos.store(upload, kind, str(until), folder=FOLDER)
            stored.append(KeptPhoto(name, kind, upload.size))
    except BaseException:
        photos.discard([p.name for p in stored])
        raise
    return _seal(actor, earlier.key if earlier else uuid.uuid4().hex, already + tuple(stored), until)


class _Gone(Exception):
    """A kept photo is no longer in the storage."""


class _StoredUpload:
    """A kept photo read as an upload, so `case_open` checks and files it like one sent just now.

    The file is opened at the first read: a filing that turns out to be a replay never touches it.
    """

    def __init__(self, photo: KeptPhoto, number: int):
        self.name = f"照片{number}"
        self.size = photo.size
        self._stored = photo.name
        self._file = None

    def _open(self):
        if self._file is None:
            try:
                self._file = default_storage.open(self._stored, "rb")
            except FileNotFoundError:
                raise _Gone(self._stored) from None
        return self._file

    def read(self, size=-1):
        return self._open().read(size)

    def seek(self, offset, whence=0):
        return self._open().seek(offset, whence)

    def tell(self):
        return self._open().tell()

    def close(self):
        if self._file is not None:
            self._file.close()


def case_open_kept(*, actor, intake: services.Intake, token: str = "", photo_files=()):
    """File the case with the photos the note kept (and any added since); without a note, as usual.

    The note's key is the filing's client key: the same note again returns the case filed the first
    time (`case.replayed`), and files nothing more.
    """
    if not token:
        return services.case_open(actor=actor, intake=intake, photo_files=photo_files)
    kept = unseal(actor=actor, token=token)
    intake = replace(intake, client_key=f"kept-{kept.key}")

    def attempt():
        uploads = [_StoredUpload(p, n) for n, p in enumerate(kept.photos, start=1)]
        try:
            return services.case_open(actor=actor, intake=intake, photo_files=[*uploads, *photo_files])
        finally:
            for upload in uploads:
                upload.close()

    try:
        try:
            case = attempt()
        except _Gone:
            # Sent twice at once: the other request may have filed it and removed the files between
            # our replay check and our read. Asked again, case_open answers with that case if so.
            case = attempt()
    except services.KeyReused:
        # Filed once already with other words (edited after the back button): the page's own sentence.
        raise Refused("kept_filed", KEPT_FILED, status=409, field="kept") from None
    except _Gone:
        raise Refused("kept_gone", KEPT_GONE, status=409, field="kept") from None
    if not case.replayed:
        # The case holds its own copies now (case_open stores them again).
        photos.discard([p.name for p in kept.photos])
    return case


def drop(*, actor, token: str) -> None:
    """The person followed another case instead: their kept photos are not needed any more."""
    try:
        kept = unseal(actor=actor, token=token)
    except Refused:
        return  # another's note drops nothing; an expired one is the sweep's
    photos.discard([p.name for p in kept.photos])


def open_photo(*, actor, token: str, number: int):
    """A kept photo's file and type, for its thumbnail: only to the user the note belongs to."""
    kept = unseal(actor=actor, token=token)
    if not 0 <= number < len(kept.photos):
        raise Refused("kept_invalid", KEPT_INVALID, field="kept")
    photo = kept.photos[number]
    try:
        return default_storage.open(photo.name, "rb"), photo.kind
    except FileNotFoundError:
        raise Refused("kept_gone", KEPT_GONE, status=409, field="kept") from None


def sweep(*, now=None) -> int:
    """Remove kept photos whose note has expired (with some grace); the number removed."""
    cutoff = ((now or clock.now()) - SWEEP_GRACE).timestamp()
    try:
        _, names = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    old = []
    for name in names:
        until, _, _ = name.partition("-")
        # A name that is not ours (no number in front) is left alone.
        if until.isdigit() and int(until) < cutoff:
            old.append(f"{FOLDER}/{name}")
    photos.discard(old)
    return len(old)
