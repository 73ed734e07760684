"""The answer of an inline export, the same for the page and the API."""

import tempfile
from urllib.parse import quote

from django.http import FileResponse, StreamingHttpResponse

from linli.exports import writer
from linli.exports.services import Prepared


def _headers(reply, filename: str):
    reply["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    reply["Cache-Control"] = "no-store"
    return reply


def file_reply(prepared: Prepared):
    if prepared.format == "csv":
        lines = writer.csv_lines(prepared.spec, prepared.queryset, prepared.filters, unmask=prepared.unmask,
                                 total=prepared.total)
        return _headers(StreamingHttpResponse(lines, content_type=writer.CSV), prepared.filename)
    # An anonymous temporary file: gone from the disk when the response closes it.
    tmp = tempfile.TemporaryFile(suffix=".xlsx")
    writer.write_xlsx(tmp, prepared.spec, prepared.queryset, prepared.filters, unmask=prepared.unmask,
                      total=prepared.total)
    tmp.seek(0)
    return _headers(FileResponse(tmp, content_type=writer.XLSX), prepared.filename)
