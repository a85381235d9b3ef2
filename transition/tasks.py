"""Celery tasks of the transition: thin wrappers around the service functions, registered by name."""

from __future__ import annotations

from celery import Task, shared_task

from .services.runs import carry_out_run, recover_stale_runs


@shared_task(bind=True, name="transition.carry_out_run_task")
def carry_out_run_task(self: Task, *, run_id: int) -> str:
    """Dry run or execute an uploaded run, reporting progress; a run that is not queued is left alone."""

    def progress(percent: int, step: str) -> None:
        if not self.request.called_directly and not self.request.is_eager:
            self.update_state(state="PROGRESS", meta={"percent": percent, "step": str(step)})

    return carry_out_run(run_id=run_id, progress=progress, task_id=self.request.id or "")


@shared_task(name="transition.recover_runs_task")
def recover_runs_task() -> list[int]:
    """Every few minutes from beat: runs whose heartbeat went stale are marked failed ("onderbroken")."""
    return [run.pk for run in recover_stale_runs()]
