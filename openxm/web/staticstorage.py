"""Static files: compressed (gzip and brotli) with content-hashed names once collected, plain
names from the package before that.

``openxm serve`` collects the files into ``STATIC_ROOT`` at start (WhiteNoise compresses them and
writes the manifest); WhiteNoise then serves the hashed names with a ten-year immutable cache and
the ``.br``/``.gz`` variant the browser accepts. Where nothing was collected (tests, the
development server, a read-only home) a template's ``{% static %}`` falls back to the plain name,
served from the package by WhiteNoise's finders with a short cache, instead of failing.
"""

from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def url(self, name, force=False):
        try:
            return super().url(name, force)
        except ValueError:  # not collected: the plain name, from the finders
            return StaticFilesStorage.url(self, name)
