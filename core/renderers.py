"""A JSON renderer for large API responses.

DRF's ``JSONRenderer`` runs the standard library's encoder, which took a fifth of a 500-row
village page. ``orjson`` writes the same JSON (UTF-8, compact) several times faster. Whatever
orjson does not write itself the way DRF does (datetimes, Decimal, lazy strings, …) goes to
DRF's own encoder, so the output matches ``JSONRenderer``'s.
"""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_DRF_DEFAULT = JSONEncoder().default
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | \
    orjson.OPT_PASSTHROUGH_DATACLASS


class FastJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}):
            # ``Accept: application/json; indent=4`` asks for a layout orjson does not write.
            return super().render(data, accepted_media_type, renderer_context)
        return orjson.dumps(data, default=_DRF_DEFAULT, option=_OPTIONS)
