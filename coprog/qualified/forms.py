"""Forms of the list of qualified entities: the staff decision, and what an ETS keeps current
(its services, their availability, the contacts of its entry). Labels in Italian (Babel).

The services' checks (axis and type of the authority, targets, the territory covered, capacity
and availability) live in services/entries.check_service and come back in Italian beside each
field: the forms only carry the values (no choice is refused by WTForms in English), and mark
the required fields.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..mapping.services.contributions import resource_types_of
from .models import ENTRY_MOVES, EntryState, Target
from .services.entries import Decision


class Marked:
    """Marks a field as required (asterisk, aria-required) and leaves the check to the service."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        return None


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


# Staff ----------------------------------------------------------------------------------------------

DECISION_LABELS = {
    Decision.QUALIFY: _l("Qualifica"),
    Decision.RENEW: _l("Rinnova la qualificazione"),
    Decision.SUSPEND: _l("Sospendi"),
    Decision.REFUSE: _l("Rifiuta"),
    Decision.REMOVE: _l("Cancella dall'elenco"),
}


def decisions_for(state: EntryState) -> list[Decision]:
    """The decisions an entry in `state` may receive, as offered on its page: "qualifica" for a
    first qualification or after a suspension, "rinnova" for a qualified or expired entry."""
    renewing = state in (EntryState.QUALIFIED, EntryState.EXPIRED)
    found = []
    for decision in DECISION_LABELS:
        if decision.to not in ENTRY_MOVES[state]:
            continue
        if decision in (Decision.QUALIFY, Decision.RENEW) and (decision == Decision.RENEW) != renewing:
            continue
        found.append(decision)
    return found


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decisione"),
        choices=[SelectChoice(d.value, label) for d, label in DECISION_LABELS.items()],
        validate_choice=False, validators=[Marked()],
    )
    reason = TextAreaField(
        _l("Motivazione"),
        description=_l("Obbligatoria: sarà comunicata all'ente e resta nella storia dell'iscrizione."),
        validators=[Marked()],
        render_kw={"rows": 4},
    )
    valid_from = DateField(_l("Valida dal"), description=_l("Per qualificare o rinnovare."), validators=[Optional()])
    valid_until = DateField(_l("Valida fino al"), description=_l("Dopo questa data l'iscrizione scade."),
                            validators=[Optional()])
    review_on = DateField(_l("Data di revisione"), description=_l("Entro il periodo di validità."),
                          validators=[Optional()])

    def offer(self, state: EntryState) -> None:
        """Show only the decisions the entry's state allows (a stale page may still post another:
        the service refuses it)."""
        allowed = decisions_for(state)
        self.decision.choices = [SelectChoice(d.value, DECISION_LABELS[d]) for d in allowed]


# ETS -------------------------------------------------------------------------------------------------


def service_choices(authority) -> dict:
    """The choices of the service forms of a page: one set of queries for all of them."""
    none = [SelectChoice("", _l("– scegli –"))]
    comuni = sorted((c for d in authority.districts for c in d.comuni), key=lambda c: c.name)
    return {
        "axis_id": none + [SelectChoice(str(a.id), a.name) for a in authority.axes],
        "resource_type_id": none + [SelectChoice(str(t.id), t.label) for t in resource_types_of(authority)],
        "district_ids": [SelectChoice(str(d.id), d.name) for d in authority.districts],
        "comune_ids": [SelectChoice(str(c.id), c.name) for c in comuni],
        "comune_id": [SelectChoice("", _l("– nessuna sede –"))] + [SelectChoice(str(c.id), c.name) for c in comuni],
    }


class ServiceForm(FlaskForm):
    title = StringField(_l("Nome del servizio"), validators=[Marked()])
    description = TextAreaField(_l("Descrizione"), description=_l("Che cosa offre il servizio e a chi, in breve."),
                                render_kw={"rows": 4})
    axis_id = SelectField(_l("Asse"), validate_choice=False, validators=[Marked()])
    resource_type_id = SelectField(_l("Tipo di servizio"), validate_choice=False, validators=[Marked()])
    targets = MultiCheckboxField(
        _l("Destinatari"), validate_choice=False, validators=[Marked()],
        choices=[SelectChoice(t.value, t.label) for t in Target],
    )
    district_ids = MultiCheckboxField(_l("Distretti in cui è offerto"), validate_choice=False,
                                      description=_l("Tutto il distretto; oppure scegli i singoli comuni qui sotto."))
    comune_ids = MultiCheckboxField(_l("Comuni in cui è offerto"), validate_choice=False)
    comune_id = SelectField(_l("Comune della sede"), validate_choice=False)
    address = StringField(_l("Indirizzo della sede"), description=_l("Via e numero civico, se il servizio ha una sede."))
    capacity = StringField(_l("Capacità (posti in tutto)"), render_kw={"inputmode": "numeric"})
    available = StringField(_l("Posti disponibili ora"), render_kw={"inputmode": "numeric"},
                            description=_l("Non più della capacità; 0 se nessuno."))
    step_free = BooleanField(_l("Sede accessibile senza barriere architettoniche"))
    public_transport = StringField(_l("Trasporto pubblico"), description=_l("Linee e fermate vicine."))
    access_notes = TextAreaField(_l("Note sull'accesso"), render_kw={"rows": 3})

    def set_choices(self, choices: dict) -> None:
        """The authority's axes, types, districts and comuni (service_choices, computed once a page)."""
        for name, found in choices.items():
            getattr(self, name).choices = found

    def fill(self, service) -> None:
        """The form of an existing service (its lists and numbers as the form shows them)."""
        self.title.data, self.description.data = service.title, service.description
        self.axis_id.data, self.resource_type_id.data = str(service.axis_id), str(service.resource_type_id)
        self.targets.data = [t.value for t in service.targets]
        self.district_ids.data = [str(d.id) for d in service.districts]
        self.comune_ids.data = [str(c.id) for c in service.comuni]
        self.comune_id.data = str(service.comune_id or "")
        self.address.data = service.address
        self.capacity.data = "" if service.capacity is None else str(service.capacity)
        self.available.data = "" if service.available is None else str(service.available)
        self.step_free.data = service.step_free
        self.public_transport.data, self.access_notes.data = service.public_transport, service.access_notes

    def values(self) -> dict:
        """What services/entries.save_service reads."""
        return {name: getattr(self, name).data for name in (
            "title", "description", "axis_id", "resource_type_id", "targets", "district_ids", "comune_ids",
            "comune_id", "address", "capacity", "available", "step_free", "public_transport", "access_notes")}


class ContactsForm(FlaskForm):
    contact_desk = StringField(_l("Sportello o ufficio"), description=_l("Per esempio «Sportello inserimenti»."))
    contact_email = StringField(_l("E-mail"), description=_l("Un indirizzo dell'ente, non personale."))
    contact_phone = StringField(_l("Telefono"))


class AvailabilityForm(FlaskForm):
    available = StringField(_l("Posti disponibili ora"), validators=[Marked()], render_kw={"inputmode": "numeric"})


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
