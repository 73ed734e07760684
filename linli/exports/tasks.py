"""Big exports run here, in the worker: the file is written under the data dir with its progress."""

from django_tasks import task


@task()
def run_export(job_id: str) -> int:
    from linli.exports.services import run_job

    return run_job(job_id)
