"""Builder pages. Each view validates its input and calls one surveys service."""

from django.shortcuts import render

from openxm.accounts.roles import Perm
from openxm.surveys import services
from openxm.web.views import member_required


@member_required(Perm.SURVEYS_DESIGN)
def builder(request, ref):
    survey = services.get_survey(request.actor, ref)
    return render(request, "surveys/builder.html", {"survey": survey})
