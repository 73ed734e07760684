"""Big exports run here, in the worker: the file is written under the data dir with its progress."""

from django_tasks import task

from linli.core.replica import lagged_reads


@task()
def run_export(job_id: str) -> int:
    from linli.exports.services import run_job

    # The rows may come from the replica; the job's own row is always read on the primary.
    with lagged_reads():
        return run_job(job_id)
