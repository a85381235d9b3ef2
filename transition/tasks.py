"""Celery tasks of the transition: thin wrappers around the service functions."""

from celery import shared_task

from .services import carry_out_run


@shared_task(bind=True, name="transition.run_transition")
def run_transition_task(self, *, run_id: int) -> str:
    """Dry run or execute an uploaded run, reporting progress; a run that is not queued is left alone."""

    def progress(percent: int, step: str) -> None:
        if not self.request.called_directly and not self.request.is_eager:
            self.update_state(state="PROGRESS", meta={"percent": percent, "step": str(step)})

    return carry_out_run(run_id=run_id, progress=progress)
