"""Forms of the batch page: submit with a confirmation, and the admin's reopen and quota."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from banzu.core.forms import NOT_CONFIRMED, is_confirmed


class SubmitBatchForm(forms.Form):
    """The batch's submission, refused unless its confirmation box (includes/_confirm.html,
    banzu.scoring.forms.CONFIRMED) came ticked."""

    confirmed = forms.BooleanField(error_messages={"required": NOT_CONFIRMED})

    def clean_confirmed(self) -> bool:
        if not is_confirmed(self.data):
            raise forms.ValidationError(NOT_CONFIRMED)
        return True


class ReopenBatchForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the audit journal and shown on the batch page."),
        error_messages={"required": _("Please give a reason.")},
    )


class QuotaForm(forms.Form):
    quota = forms.IntegerField(
        label=_("Recommendation quota"),
        min_value=0,
        max_value=10000,
        required=False,
        help_text=_("The most applications this recommender may recommend; empty for no limit."),
    )


class StampedUploadForm(forms.Form):
    """A stamped scan for one slot of the batch page (checked by the service, not here)."""

    file = forms.FileField(
        label=_("Scan (PDF)"), error_messages={"required": _("Choose a file to upload.")}
    )
