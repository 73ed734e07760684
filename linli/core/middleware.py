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
