"""Background jobs (imports, Strategic Assessments): a durable queue in the web database and a
supervised worker that runs each job in a process of its own (ADR 0002).

A job is its own record (:class:`~safercity.web.imports.models.ImportJob`,
:class:`~safercity.web.reports.models.AssessmentReport`): created ``queued``, claimed by the
worker in one conditional UPDATE, run by a fresh ``safercity jobs run`` process, and finished
by that process (``done`` or ``failed``). If the process dies however it dies (a crash, the
kernel's OOM killer, ``kill -9``), the worker marks the job failed with the reason and the
job can be tried again. Whether a job's process is alive is never judged from a PID: the
process holds an OS lock (``<workspace>/jobs/<kind>-<id>.lock``) that the kernel releases when
it dies, zombie or not.
"""
