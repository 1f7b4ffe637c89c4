"""gunicorn's logger for Quarry (`--logger-class prospecting.gunicorn_logging.Logger` in the
Procfiles): the access log keeps the route of every request but never a token, be it in the path,
the query string (`?next=/invitations/accept/...`) or the Referer."""

from gunicorn import glogging

from prospecting.logs import MaskTokens

_MASK_TOKENS = MaskTokens()


class Logger(glogging.Logger):
    def setup(self, cfg):
        super().setup(cfg)
        # setup() runs again on every configuration reload; addFilter ignores a filter already added.
        self.access_log.addFilter(_MASK_TOKENS)
        self.error_log.addFilter(_MASK_TOKENS)
