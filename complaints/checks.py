"""System checks (``manage.py check``, run at every start): the workflow is whole."""

from django.core import checks

from complaints.models import Complaint
from complaints.services.workflow import FIRED_BY_SERVICES, TRANSITION_SERVICES


@checks.register()
def every_transition_has_a_service(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Each transition users fire on the record is served: the API, the case
    page and the admin dispatch through ``TRANSITION_SERVICES``, to which an app
    above (approvals: propose) adds its own."""
    names = {t.name for t in Complaint._meta.get_field("state").get_all_transitions(Complaint)}
    missing = sorted(names - set(TRANSITION_SERVICES) - set(FIRED_BY_SERVICES))
    return [checks.Error(f"Complaint transition {name!r} has no service; register one with "
                         "complaints.services.register_transition.", id="complaints.E001") for name in missing]
