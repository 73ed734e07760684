"""The two deliberation processes the seeds describe, shipped as data."""

from django.db import migrations

WORKERS = ["grid_worker", "community_worker", "community_secretary", "branch_secretary"]
LEADS = ["community_worker", "community_secretary", "branch_secretary"]
SECRETARIES = ["community_secretary", "branch_secretary"]

TEMPLATES = [
    ("five_step", "五议工作法",
     "征集意见、审核把关 → 分题协商 → 汇智定案 → 民主决策、组织实施 → 全程公开、评议问效。",
     [
         ("collect", "一议：征集意见·审核把关", "收集居民意见，审核议题是否属于议事范围", WORKERS, True),
         ("consult", "二议：分题协商", "按议题分组，邀请相关居民、单位协商", LEADS, True),
         ("settle", "三议：汇智定案", "汇总各方意见，形成方案", SECRETARIES, False),
         ("decide", "四议：民主决策·组织实施", "按规则表决，通过后组织实施", SECRETARIES, False),
         ("publish", "五议：全程公开·评议问效", "公示结果与进度，居民评议满意度", SECRETARIES, True),
     ]),
    ("three_step", "三议（居民提议·委员会审议·居民大会决议）",
     "居民提议 → 委员会审议 → 居民大会决议；每月一次，紧急事项随时召开。",
     [
         ("propose", "居民提议", "居民或组织提出议题", WORKERS, True),
         ("review", "委员会审议", "自治委员会审议议题与方案", SECRETARIES + ["committee_member"], True),
         ("resolve", "居民大会决议", "居民大会或居民代表会议表决", SECRETARIES, False),
     ]),
]


def seed(apps, schema_editor):
    Template = apps.get_model("council", "ProcessTemplate")
    Step = apps.get_model("council", "ProcessStep")
    for code, name, description, steps in TEMPLATES:
        template, _ = Template.objects.get_or_create(code=code, defaults={"name": name, "description": description})
        for order, (step_code, step_name, text, movers, comments) in enumerate(steps, start=1):
            Step.objects.get_or_create(template=template, order=order, defaults={
                "code": step_code, "name": step_name, "description": text, "movers": movers,
                "comments_open": comments})


def unseed(apps, schema_editor):
    apps.get_model("council", "ProcessTemplate").objects.filter(code__in=[t[0] for t in TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("council", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
