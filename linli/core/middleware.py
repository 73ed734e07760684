from linli.core.channel import _channel, set_channel


class ChannelMiddleware:
    """Marks every request's writes with the channel they came through."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith("/api/") or path.startswith("/open311/"):
            name = "api"
        elif path.startswith("/admin/"):
            name = "admin"
        else:
            name = "page"
        token = set_channel(name)
        try:
            return self.get_response(request)
        finally:
            _channel.reset(token)


class ChineseByDefaultMiddleware:
    """The site speaks Chinese whatever the browser asks for; English only when the person chooses it.

    Office computers and phones with an English system language would otherwise get the English
    catalogue, which is a courtesy translation, not the working language. The choice made with the
    language button (a cookie) is still honoured by LocaleMiddleware, which runs next.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class SessionIdleMiddleware:
    """Ends a login after LINLI_SESSION_IDLE_MINUTES without a request (a shared office computer left
    signed in). The last-seen time is written at most once a minute, not on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.contrib.auth import logout

        from linli.core import clock

        idle = settings.LINLI_SESSION_IDLE_MINUTES * 60
        if idle and request.user.is_authenticated:
            now = int(clock.now().timestamp())
            seen = request.session.get("linli_seen")
            if seen is not None and now - seen > idle:
                logout(request)
            elif seen is None or now - seen >= 60:
                request.session["linli_seen"] = now
        return self.get_response(request)


class RequestMemoMiddleware:
    """Opens the request's memo (linli.core.memo) and closes it with the answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from linli.core.memo import request_memo

        with request_memo():
            return self.get_response(request)
