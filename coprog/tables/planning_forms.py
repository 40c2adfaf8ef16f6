"""Forms of the staff pages that plan the tables: categories, groups, sessions.

Fields check their own format; the rules over several fields or objects (the end after the
start, groups of the session's axis, place or link …) live in services/planning.py, whose
problems the view puts beside these fields.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..core.time import rome_to_utc
from ..notices.forms import MultiCheckboxField
from .models import Shift

REQUIRED = _l("Campo obbligatorio.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _max(n: int):
    return Length(max=n, message=_l("Massimo %(max)d caratteri."))


def _id(value):
    """An id from a form; "" (the "Scegli…" option) is None."""
    return None if value in ("", None) else int(value)


def _axis_field():
    message = _l("Scegli l'asse.")
    return SelectField(_l("Asse"), coerce=_id, validators=[InputRequired(message)],
                       invalid_value_message=message, invalid_choice_message=message)


def _ids_field(label, message, **kwargs):
    """Checkboxes of ids; which ids are acceptable is a rule of the service, not of the form."""
    return MultiCheckboxField(label, coerce=int, validators=[Optional()], validate_choice=False,
                              invalid_value_message=message, **kwargs)


class CategoryForm(FlaskForm):
    label = StringField(_l("Nome della categoria"), filters=[_strip], validators=[InputRequired(REQUIRED), _max(120)])


class GroupForm(FlaskForm):
    name = StringField(
        _l("Nome del tavolo"),
        description=_l("Per esempio «Bologna Ovest» o «Appennino e Reno Lavino Samoggia»."),
        filters=[_strip], validators=[InputRequired(REQUIRED), _max(200)],
    )
    axis_id = _axis_field()
    district_ids = _ids_field(_l("Distretti"), _l("Scegli i distretti dall'elenco."))
    sub_area_ids = _ids_field(
        _l("Parti di distretto"), _l("Scegli le parti di distretto dall'elenco."),
        description=_l("In alternativa ai distretti interi, per esempio Bologna Est o Bologna Ovest."),
    )

    # services/planning.py field -> this form's field
    FIELDS = {"axis_id": "axis_id", "name": "name", "district_ids": "district_ids"}

    def set_choices(self, axes, districts) -> None:
        self.axis_id.choices = [SelectChoice("", _l("Scegli…"))] + [SelectChoice(a.id, a.name) for a in axes]
        self.district_ids.choices = [(d.id, d.name) for d in districts]
        self.sub_area_ids.choices = [(s.id, f"{s.name} ({d.name})") for d in districts for s in d.sub_areas]

    def data_for_service(self) -> dict:
        return {
            "name": self.name.data, "axis_id": self.axis_id.data,
            "district_ids": self.district_ids.data or [], "sub_area_ids": self.sub_area_ids.data or [],
        }


def _time_field(label, message):
    return TimeField(label, description=_l("Ora di Roma."), format=["%H:%M", "%H:%M:%S"],
                     validators=[InputRequired(message)], invalid_value_message=message)


def capacity_number(form, field) -> None:
    """Empty means no limit; otherwise a whole number (its minimum is a rule of the service)."""
    text = (field.raw_data[0] if field.raw_data else field.data or "").strip()
    if not text:
        field.data = None
        return
    try:
        field.data = int(text)
    except ValueError:
        field.data = None
        raise ValidationError(_l("Indica un numero intero di persone, oppure lascia vuoto se non c'è un limite.")) from None


class SessionForm(FlaskForm):
    axis_id = _axis_field()
    group_ids = _ids_field(
        _l("Tavoli (distretti) che si incontrano"), _l("Scegli i tavoli dall'elenco."),
        description=_l("Più tavoli insieme formano un incontro congiunto; le persone restano iscritte al proprio tavolo."),
    )
    day = DateField(_l("Giorno"), validators=[InputRequired(_l("Indica il giorno."))],
                    invalid_value_message=_l("Indica il giorno, per esempio 25/11/2025."))
    start_time = _time_field(_l("Ora di inizio"), _l("Indica l'ora di inizio, per esempio 9:30."))
    end_time = _time_field(_l("Ora di fine"), _l("Indica l'ora di fine, per esempio 12:30."))
    shift = SelectField(
        _l("Turno"),
        choices=[SelectChoice("", _l("Secondo l'ora di inizio"))] + [SelectChoice(s.value, s.label) for s in Shift],
        validators=[Optional()],
    )
    place = StringField(_l("Luogo"), description=_l("Indirizzo e sala."), filters=[_strip], validators=[_max(300)])
    online_url = StringField(
        _l("Collegamento online"), description=_l("Facoltativo se c'è il luogo. Per esempio https://…"),
        filters=[_strip], validators=[_max(500)],
    )
    capacity = StringField(
        _l("Capienza (persone)"), description=_l("Lascia vuoto se non c'è un limite; oltre la capienza le iscrizioni vanno in lista d'attesa."),
        validators=[capacity_number], render_kw={"inputmode": "numeric"},
    )
    facilitator_ids = _ids_field(_l("Facilitatori"), _l("Scegli i facilitatori dall'elenco."))
    title = StringField(
        _l("Titolo (facoltativo)"), description=_l("Per esempio «Plenaria del pomeriggio»."),
        filters=[_strip], validators=[_max(200)],
    )
    notes = TextAreaField(_l("Note per i partecipanti (facoltative)"), filters=[_strip], validators=[_max(5000)],
                          render_kw={"rows": 3})

    # services/planning.py field -> this form's field
    FIELDS = {"axis_id": "axis_id", "group_ids": "group_ids", "starts_at": "day", "ends_at": "end_time",
              "place": "place", "online_url": "online_url", "capacity": "capacity"}
    # a problem with the times is not repeated when one of these fields already has an error
    COVERED_BY = {"starts_at": ("day", "start_time", "end_time"), "ends_at": ("day", "start_time", "end_time")}

    def validate_shift(self, field) -> None:
        if field.data and field.data not in {s.value for s in Shift}:
            raise ValidationError(_l("Scegli il turno."))

    def set_choices(self, axes, groups, facilitators) -> None:
        self.axis_id.choices = [SelectChoice("", _l("Scegli…"))] + [SelectChoice(a.id, a.name) for a in axes]
        self.group_ids.choices = [(g.id, g.name) for g in groups]
        self.facilitator_ids.choices = [(u.id, u.full_name) for u in facilitators]

    def fill(self, session) -> None:
        """Show a stored session (times in Rome)."""
        from ..core.time import to_rome

        starts, ends = to_rome(session.starts_at), to_rome(session.ends_at)
        self.axis_id.data, self.group_ids.data = session.axis_id, [g.id for g in session.groups]
        self.day.data, self.start_time.data, self.end_time.data = starts.date(), starts.time(), ends.time()
        self.shift.data = session.shift.value
        self.place.data, self.online_url.data = session.place, session.online_url
        self.capacity.data = "" if session.capacity is None else str(session.capacity)
        self.facilitator_ids.data = [u.id for u in session.facilitators]
        self.title.data, self.notes.data = session.title, session.notes

    def data_for_service(self) -> dict:
        """The session's data as services/planning.py takes it; a field in error gives None."""
        def ok(field):
            return None if field.errors else field.data

        day, start, end = ok(self.day), ok(self.start_time), ok(self.end_time)
        return {
            "axis_id": ok(self.axis_id), "group_ids": ok(self.group_ids) or [],
            "starts_at": _rome(day, start), "ends_at": _rome(day, end),
            "shift": ok(self.shift) or None, "place": self.place.data, "online_url": self.online_url.data,
            "capacity": ok(self.capacity), "facilitator_ids": ok(self.facilitator_ids) or [],
            "title": self.title.data, "notes": self.notes.data,
        }


def _rome(day, at):
    return rome_to_utc(datetime.combine(day, at)) if day and at else None
