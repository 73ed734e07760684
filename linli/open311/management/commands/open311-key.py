"""`linli open311-key --name 平台名 --user 登录名`: issue an Open311 key; the raw key is printed once."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from linli.core.channel import using_channel
from linli.open311.services import client_issue


class Command(BaseCommand):
    help = "签发 Open311 接口密钥（绑定一个有辖区的工作人员账号；密钥只显示这一次）"

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="接入平台名称")
        parser.add_argument("--user", required=True, help="绑定的工作人员登录名，其辖区即密钥可提交和查看的范围")

    def handle(self, *args, name, user, **options):
        bound = get_user_model().objects.filter(username=user).first()
        if bound is None:
            raise CommandError(f"没有登录名为 {user} 的用户")
        try:
            with using_channel("command"):
                client, raw = client_issue(actor=None, name=name, user=bound)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(f"已签发：{client.name}（绑定 {bound.username}）")
        self.stdout.write(raw)
