"""The filter of the Steckbriefe page (web/steckbriefe.py)."""

from __future__ import annotations

from wtforms import SelectField

from . import GermanForm


class FilterForm(GermanForm):
    """The bundle's filters, sent by GET; unknown values are reported by the domain filter."""

    class Meta:
        csrf = False

    dimension = SelectField("Dimension", validate_choice=False)
    verantwortlich = SelectField("Verantwortliche", validate_choice=False)
    status = SelectField("Status", validate_choice=False)
    zeitstand = SelectField("Zeitstand", validate_choice=False)
