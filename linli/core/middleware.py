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
