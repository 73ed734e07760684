"""Background work for imports: a big file is checked, then (once confirmed) written, by the task worker."""

from django_tasks import task


@task()
def check_job(job_id: int) -> str:
    from linli.imports import jobs

    return jobs.run_check(job_id)


@task()
def commit_job(job_id: int) -> str:
    from linli.imports import jobs

    return jobs.run_commit(job_id)
