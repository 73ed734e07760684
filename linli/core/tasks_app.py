"""django-tasks-db under a Chinese name: its app shows in the admin as "后台任务", not "Tasks Database Backend"."""

from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = "后台任务"
